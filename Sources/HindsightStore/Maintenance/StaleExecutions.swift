public import Foundation
public import Logging
public import PostgresNIO

/// Marks executions that never completed as `abandoned`.
///
/// An agent that crashes never sends `execution_completed`, so its execution would stay `running`
/// forever and never count as the failure it is. The analyzer marks an execution abandoned once it has
/// run longer than its domain's ``threshold(p99:policy:)``. The mark leaves `status_seq` alone, so a
/// completion that arrives late still replaces the status through the tracker's ordinary upsert
/// (`abandoned_at` stays, as a record that it was abandoned once).
public enum StaleExecutions {
    /// How long a domain's execution may run before it counts as abandoned.
    public struct Policy: Sendable, Equatable {
        /// Multiple of the domain's p99 duration. Defaults to `3`.
        public var factor: Double = 3
        /// Shortest threshold, in seconds, whatever the p99. Defaults to `600`.
        public var floorSeconds: Double = 600
        /// Threshold, in seconds, of a domain without finished executions (no p99 yet). Defaults to `86400`.
        public var defaultSeconds: Double = 86_400

        public init() {}

        public init(factor: Double, floorSeconds: Double, defaultSeconds: Double) {
            self.factor = factor
            self.floorSeconds = floorSeconds
            self.defaultSeconds = defaultSeconds
        }
    }

    /// The stale threshold of a domain, in seconds: `max(floor, factor × p99)`, or
    /// `max(floor, default)` when the domain has no finished execution to take a p99 from.
    ///
    /// - Parameters:
    ///   - p99: The 99th percentile of the durations of the domain's finished executions in the
    ///     analysis window, in seconds; nil (or not a finite, non-negative number) when there is none.
    ///   - policy: Factor, floor and default.
    public static func threshold(p99: Double?, policy: Policy) -> Double {
        guard let p99, p99.isFinite, p99 >= 0 else { return max(policy.floorSeconds, policy.defaultSeconds) }
        return max(policy.floorSeconds, policy.factor * p99)
    }

    /// Marks the domain's executions still running and started before `now - thresholdSeconds` as
    /// abandoned (`abandoned_at = now`) and returns how many it marked.
    ///
    /// Locks the rollup rows of the candidates first, in (domain, day) order, as the tracker does
    /// before its upsert: the status change moves a count in `domain_daily_stats` through the trigger,
    /// and the same lock order keeps the two from deadlocking. The UPDATE checks the conditions again,
    /// so an execution completed meanwhile is left alone.
    ///
    /// - Parameters:
    ///   - domain: The domain.
    ///   - thresholdSeconds: From ``threshold(p99:policy:)``.
    ///   - now: The reference time (also written to `abandoned_at`).
    ///   - connection: Where to run; inside the caller's transaction if it opened one.
    /// - Returns: Executions marked.
    @discardableResult
    public static func markAbandoned(
        domain: String, thresholdSeconds: Double, now: Date = Date(), on connection: PostgresConnection, logger: Logger
    ) async throws -> Int {
        let cutoff = now.addingTimeInterval(-thresholdSeconds)
        let candidates = try await connection.query("""
            SELECT execution_id, (extract(epoch FROM started_at) * 1000000)::int8
            FROM hindsight.executions
            WHERE domain = \(domain) AND status = 'running' AND ended_at IS NULL AND started_at < \(cutoff)
            ORDER BY execution_id
            """, logger: logger)
        var ids: [UUID] = []
        var startedMicros: [Int64] = []
        for try await (id, started) in candidates.decode((UUID, Int64).self) {
            ids.append(id)
            startedMicros.append(started)
        }
        guard !ids.isEmpty else { return 0 }
        let domains = [String](repeating: domain, count: ids.count)
        try await connection.query(
            "SELECT hindsight.lock_rollup_rows(\(ids), \(domains), \(startedMicros))", logger: logger)
        let updated = try await connection.query("""
            UPDATE hindsight.executions SET status = 'abandoned', abandoned_at = \(now)
            WHERE execution_id = ANY (\(ids))
              AND domain = \(domain) AND status = 'running' AND ended_at IS NULL AND started_at < \(cutoff)
            RETURNING execution_id
            """, logger: logger)
        var marked = 0
        for try await _ in updated.decode(UUID.self) { marked += 1 }
        if marked > 0 {
            logger.info("store.executions.abandoned", metadata: [
                "domain": "\(domain)", "executions.abandoned": "\(marked)", "threshold.seconds": "\(thresholdSeconds)",
            ])
        }
        return marked
    }
}

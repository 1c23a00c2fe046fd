import Foundation
import HindsightCore
import HindsightStore
import HindsightTesting
import Logging
import PostgresNIO

/// Shared steps of the maintenance tests: simulated executions stored through the tracker's writer,
/// the analyzer's fold of the change log (a stand-in, so these tests do not depend on it), and
/// snapshots of the rollup tables.
enum MaintenanceFixtures {
    typealias S = StoreTestSupport

    static let microsPerDay: Int64 = 86_400_000_000

    /// Midnight UTC of the day of `date`, in microseconds since the epoch.
    static func dayStartMicros(_ date: Date) -> Int64 {
        let micros = Int64((date.timeIntervalSince1970 * 1_000_000).rounded(.down))
        return micros - micros % microsPerDay
    }

    /// `YYYYMMDD` of the UTC day `offset` days after the day of `date`.
    static func compactDay(_ date: Date, plus offset: Int) -> String {
        S.compactDay(date.addingTimeInterval(Double(offset) * 86_400))
    }

    /// Stores `count` simulated executions, the n-th starting at `startMicros + n × spacing`, through
    /// the tracker's writer in batches of 50 executions; `drop` removes events before storing (a
    /// crashed agent's missing completion). Returns the execution ids in order.
    @discardableResult
    static func store(
        _ count: Int, startingAt startMicros: Int64, spacingMicros: Int64, seed: UInt64,
        with writer: ConsolidationWriter, drop: (WireEvent) -> Bool = { _ in false }
    ) async throws -> [UUID] {
        var simulator = FleetSimulator(seed: seed)
        var ids: [UUID] = []
        var batch: [WireEvent] = []
        for n in 0..<count {
            let events = simulator.execution(startingAt: startMicros + Int64(n) * spacingMicros)
            if let first = events.first { ids.append(first.executionID) }
            batch += events.filter { !drop($0) }
            if (n + 1) % 50 == 0 {
                try await writer.write(batch)
                batch.removeAll(keepingCapacity: true)
            }
        }
        if !batch.isEmpty { try await writer.write(batch) }
        return ids
    }

    /// What the analyzer's fold does for the rollups: the change log becomes dirty days.
    static func foldDirtyDays(_ client: PostgresClient) async throws {
        try await client.query("""
            WITH moved AS (DELETE FROM hindsight.domain_changes RETURNING domain, day)
            INSERT INTO hindsight.rollup_dirty_days (domain, day)
            SELECT DISTINCT domain, day FROM moved WHERE day IS NOT NULL
            ON CONFLICT DO NOTHING
            """, logger: S.logger)
    }

    /// The domains with dirty days.
    static func dirtyDomains(_ client: PostgresClient) async throws -> [String] {
        let rows = try await client.query(
            "SELECT DISTINCT domain FROM hindsight.rollup_dirty_days ORDER BY domain", logger: S.logger)
        var domains: [String] = []
        for try await domain in rows.decode(String.self) { domains.append(domain) }
        return domains
    }

    /// Refreshes every dirty domain's rollups, one transaction per domain, as the analyzer does.
    static func refreshAll(_ client: PostgresClient, oldestDay: Date) async throws -> [DailyRollups.Refresh] {
        var refreshes: [DailyRollups.Refresh] = []
        for domain in try await dirtyDomains(client) {
            refreshes.append(try await client.withTransaction(logger: S.logger) { connection in
                try await DailyRollups.refresh(domain: domain, oldestDay: oldestDay, on: connection, logger: S.logger)
            })
        }
        return refreshes
    }

    /// Every row of the three rollup tables as text, in key order.
    static func rollupSnapshot(_ client: PostgresClient) async throws -> [String] {
        let rows = try await client.query("""
            SELECT 'domain_daily_stats ' || row(domain, day, total, running, completed, failed, recovered, abandoned,
                                               duration_n, duration_sum)::text
            FROM hindsight.domain_daily_stats
            UNION ALL
            SELECT 'phase_daily_stats ' || row(domain, day, phase, runs, successes, errors, retries, duration_sum,
                                              duration_histogram)::text
            FROM hindsight.phase_daily_stats
            UNION ALL
            SELECT 'domain_daily_durations ' || row(domain, day, executions, duration_histogram)::text
            FROM hindsight.domain_daily_durations
            ORDER BY 1
            """, logger: S.logger)
        var lines: [String] = []
        for try await line in rows.decode(String.self) { lines.append(line) }
        return lines
    }

    /// Waits (up to 10 s) until no session of another role is connected to `url`'s database: a pool's
    /// connections close shortly after its client stops, and the scratch database's owner may not
    /// terminate other roles' sessions when it drops the database.
    static func waitForOtherRolesToDisconnect(_ url: DatabaseURL) async throws {
        try await S.withClient(url) { owner in
            for _ in 0..<100 {
                let others = try await integer(owner, """
                    SELECT count(*)::int8 FROM pg_stat_activity WHERE datname = current_database() AND usename <> current_user
                    """)
                if others == 0 { return }
                try await Task.sleep(for: .milliseconds(100))
            }
        }
    }

    /// The single integer a query returns.
    static func integer(_ client: PostgresClient, _ query: PostgresQuery) async throws -> Int {
        var value = 0
        for try await row in try await client.query(query, logger: S.logger).decode(Int.self) { value = row }
        return value
    }

    /// The histogram bucket of a duration, computed here independently of SQL: bucket 1 holds
    /// durations under 1 ms, bucket k holds [0.001 × 1.2^(k−2), 0.001 × 1.2^(k−1)) s, 128 the rest.
    static func bucket(_ seconds: Double) -> Int {
        seconds < 0.001 ? 1 : min(128, 2 + Int((log(seconds / 0.001) / log(1.2)).rounded(.down)))
    }

    /// The 128-bucket histogram of `durations`.
    static func histogram(_ durations: [Double]) -> [Int] {
        var counts = [Int](repeating: 0, count: 128)
        for seconds in durations { counts[bucket(seconds) - 1] += 1 }
        return counts
    }
}

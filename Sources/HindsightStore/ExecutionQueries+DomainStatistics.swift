public import Foundation
import PostgresNIO

/// Statistics of one domain's executions started in a time window (the seed's `get_domain_statistics`).
///
/// As in the seed, only `completed` counts as success and the window selects on `started_at`.
/// Unlike the seed, ``avgDurationSeconds`` is `nil` (not `0`) when no execution has a duration and
/// ``completedCount`` is `0` (not `None`) for an empty window.
public struct DomainWindowStatistics: Sendable, Hashable, Codable {
    /// The domain.
    public var domain: String
    /// Window length in days.
    public var days: Int
    /// The window's start: executions with `started_at >= windowStart` count.
    public var windowStart: Date
    /// Executions started in the window.
    public var totalExecutions: Int
    /// Of those, `completed`.
    public var completedCount: Int
    /// Of those, `failed`.
    public var failedCount: Int
    /// Of those, `recovered`.
    public var recoveredCount: Int
    /// Of those, still `running`.
    public var runningCount: Int
    /// `completedCount / totalExecutions`, `0` for an empty window.
    public var successRate: Double
    /// Mean duration in seconds of the executions that have one.
    public var avgDurationSeconds: Double?
    /// Median duration (linear interpolation), only when asked for.
    public var p50DurationSeconds: Double?
    /// 95th percentile duration (linear interpolation), only when asked for.
    public var p95DurationSeconds: Double?
}

/// How ``ExecutionQueries/domainStatistics(domain:days:percentiles:method:now:)`` computes counts
/// and the mean.
public enum DomainStatisticsMethod: String, Sendable, Hashable, Codable, CaseIterable {
    /// Sum the `domain_daily_stats` rollup over the window's whole UTC days, plus an index scan of
    /// the window's first, partial day. Exact, and fast at any volume. The default.
    case rollup
    /// Aggregate the matching `executions` rows (index-only scan of `executions_domain_started_idx`);
    /// cost grows with the number of executions in the window.
    case scan
}

extension ExecutionQueries {
    /// Statistics of a domain over the last `days` days.
    ///
    /// Counts and the mean duration come from the rollup (or a scan, see ``DomainStatisticsMethod``).
    /// Percentiles need every duration in the window, so they are computed (`percentile_cont`, an
    /// index-only scan of the window) only when `percentiles` is `true`; at 100,000 executions in the
    /// window that costs tens of milliseconds, so callers on a hot path should leave it off and read
    /// the analyzer's precomputed insights instead.
    ///
    /// - Parameters:
    ///   - domain: The goal domain.
    ///   - days: Window length in days. Defaults to `30`.
    ///   - percentiles: Also compute p50 and p95 durations. Defaults to `false`.
    ///   - method: How to count. Defaults to ``DomainStatisticsMethod/rollup``.
    ///   - now: The window's end. Defaults to the current time.
    public func domainStatistics(
        domain: String, days: Int = 30, percentiles: Bool = false,
        method: DomainStatisticsMethod = .rollup, now: Date = Date()
    ) async throws -> DomainWindowStatistics {
        let cutoff = now.addingTimeInterval(-Double(days) * 86_400)
        let query: PostgresQuery
        switch method {
        case .rollup:
            // Whole UTC days after the cutoff's day come from the rollup; the rest of the cutoff's own
            // day (from the cutoff to the next midnight UTC) from the executions index.
            // Both bounds are bound as values (not computed in SQL) so the planner sees them and picks
            // an index-only scan for the partial day.
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "UTC")!
            let firstFullDay = calendar.date(byAdding: .day, value: 1, to: calendar.startOfDay(for: cutoff))!
            query = """
                WITH full_days AS (
                    SELECT coalesce(sum(total), 0) AS total, coalesce(sum(completed), 0) AS completed,
                           coalesce(sum(failed), 0) AS failed, coalesce(sum(recovered), 0) AS recovered,
                           coalesce(sum(running), 0) AS running, coalesce(sum(duration_n), 0) AS duration_n,
                           coalesce(sum(duration_sum), 0) AS duration_sum
                    FROM hindsight.domain_daily_stats
                    WHERE domain = \(domain) AND day >= (\(firstFullDay)::timestamptz AT TIME ZONE 'UTC')::date
                ), partial_day AS (
                    SELECT count(*) AS total, count(*) FILTER (WHERE status = 'completed') AS completed,
                           count(*) FILTER (WHERE status = 'failed') AS failed,
                           count(*) FILTER (WHERE status = 'recovered') AS recovered,
                           count(*) FILTER (WHERE status = 'running') AS running,
                           count(duration_s) AS duration_n,
                           coalesce(sum(duration_s::numeric), 0) AS duration_sum
                    FROM hindsight.executions
                    WHERE domain = \(domain) AND started_at >= \(cutoff) AND started_at < \(firstFullDay)
                )
                SELECT (f.total + p.total)::int8, (f.completed + p.completed)::int8, (f.failed + p.failed)::int8,
                       (f.recovered + p.recovered)::int8, (f.running + p.running)::int8,
                       CASE WHEN f.duration_n + p.duration_n > 0
                            THEN ((f.duration_sum + p.duration_sum) / (f.duration_n + p.duration_n))::float8 END
                FROM full_days f, partial_day p
                """
        case .scan:
            query = """
                SELECT count(*)::int8, count(*) FILTER (WHERE status = 'completed')::int8,
                       count(*) FILTER (WHERE status = 'failed')::int8,
                       count(*) FILTER (WHERE status = 'recovered')::int8,
                       count(*) FILTER (WHERE status = 'running')::int8,
                       avg(duration_s)::float8
                FROM hindsight.executions
                WHERE domain = \(domain) AND started_at >= \(cutoff)
                """
        }
        let rows = try await postgres.query(query, logger: queryLogger)
        var stats = DomainWindowStatistics(
            domain: domain, days: days, windowStart: cutoff, totalExecutions: 0, completedCount: 0,
            failedCount: 0, recoveredCount: 0, runningCount: 0, successRate: 0)
        for try await (total, completed, failed, recovered, running, avg) in rows.decode((Int, Int, Int, Int, Int, Double?).self) {
            stats.totalExecutions = total
            stats.completedCount = completed
            stats.failedCount = failed
            stats.recoveredCount = recovered
            stats.runningCount = running
            stats.avgDurationSeconds = avg
            stats.successRate = total > 0 ? Double(completed) / Double(total) : 0
        }
        if percentiles {
            let rows = try await postgres.query("""
                SELECT percentile_cont(ARRAY[0.5, 0.95]::float8[]) WITHIN GROUP (ORDER BY duration_s)
                FROM hindsight.executions
                WHERE domain = \(domain) AND started_at >= \(cutoff) AND duration_s IS NOT NULL
                """, logger: queryLogger)
            for try await values in rows.decode([Double]?.self) where values?.count == 2 {
                stats.p50DurationSeconds = values?[0]
                stats.p95DurationSeconds = values?[1]
            }
        }
        return stats
    }
}

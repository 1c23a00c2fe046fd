import Foundation
import HindsightCore
import HindsightStore
import HindsightTesting
import PostgresNIO
import Testing

/// The daily rollups: refreshed per dirty day they equal a GROUP BY over all the rows, and their
/// histograms give percentiles within the documented error and merge across days.
@Suite("Maintenance: daily rollups and histograms", .serialized)
struct DailyRollupsTests {
    typealias S = StoreTestSupport
    typealias F = MaintenanceFixtures

    /// phase_daily_stats rows, or the same figures computed with a GROUP BY over executions × phases
    /// (histogram built here from the durations, duration sums rounded to microseconds).
    static func phaseRows(_ client: PostgresClient, direct: Bool) async throws -> [String] {
        let query: PostgresQuery = direct
            ? """
              SELECT x.domain, (x.started_at AT TIME ZONE 'UTC')::date::text, p.phase,
                     count(p.duration_s)::int8,
                     count(*) FILTER (WHERE p.duration_s IS NOT NULL AND coalesce(p.success, true))::int8,
                     sum(p.error_count)::int8, sum(greatest(p.retry_count, p.start_count - 1))::int8,
                     coalesce(sum(p.duration_s), 0)::float8,
                     coalesce(array_agg(p.duration_s) FILTER (WHERE p.duration_s IS NOT NULL), '{}')::float8[]
              FROM hindsight.executions x JOIN hindsight.phases p USING (execution_id)
              WHERE x.started_at IS NOT NULL
              GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
              """
            : """
              SELECT domain, day::text, phase, runs, successes, errors, retries, duration_sum,
                     duration_histogram::float8[]
              FROM hindsight.phase_daily_stats ORDER BY 1, 2, 3
              """
        var lines: [String] = []
        let rows = try await client.query(query, logger: S.logger)
        for try await (domain, day, phase, runs, successes, errors, retries, sum, values)
            in rows.decode((String, String, String, Int, Int, Int, Int, Double, [Double]).self) {
            let histogram = direct ? F.histogram(values) : values.map { Int($0) }
            lines.append("\(domain) \(day) \(phase) runs=\(runs) ok=\(successes) errors=\(errors) retries=\(retries) "
                + "sum=\((sum * 1e6).rounded()) h=\(histogram)")
        }
        return lines
    }

    static func durationRows(_ client: PostgresClient, direct: Bool) async throws -> [String] {
        let query: PostgresQuery = direct
            ? """
              SELECT domain, (started_at AT TIME ZONE 'UTC')::date::text, count(duration_s)::int8,
                     coalesce(array_agg(duration_s) FILTER (WHERE duration_s IS NOT NULL), '{}')::float8[]
              FROM hindsight.executions WHERE started_at IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2
              """
            : """
              SELECT domain, day::text, executions, duration_histogram::float8[]
              FROM hindsight.domain_daily_durations ORDER BY 1, 2
              """
        var lines: [String] = []
        let rows = try await client.query(query, logger: S.logger)
        for try await (domain, day, n, values) in rows.decode((String, String, Int, [Double]).self) {
            let histogram = direct ? F.histogram(values) : values.map { Int($0) }
            lines.append("\(domain) \(day) n=\(n) h=\(histogram)")
        }
        return lines
    }

    @Test("refreshing the dirty days equals a GROUP BY over all rows, also after a second, partial change")
    func refreshEqualsGroupBy() async throws {
        try await S.withMigratedDatabase { url in
            let now = Date()
            let start = F.dayStartMicros(now) - 5 * F.microsPerDay
            try await S.withClient(url) { owner in
                let writer = ConsolidationWriter(client: owner, logger: S.logger)
                // 300 executions every 15 minutes: three UTC days and some, three domains.
                try await F.store(300, startingAt: start, spacingMicros: 900_000_000, seed: 3, with: writer)
                try await F.foldDirtyDays(owner)
            }
            let first = try await S.withClient(S.url(url, role: "hindsight_analyzer")) { analyzer in
                try await F.refreshAll(analyzer, oldestDay: DailyRollups.oldestDay(retainedDays: 365, now: now))
            }
            #expect(first.count == 3 && first.allSatisfy { $0.days >= 3 && $0.phaseRows > 0 }, "\(first)")
            try await S.withClient(url) { owner in
                #expect(try await Self.phaseRows(owner, direct: false) == Self.phaseRows(owner, direct: true))
                #expect(try await Self.durationRows(owner, direct: false) == Self.durationRows(owner, direct: true))
                #expect(try await F.integer(owner, "SELECT count(*)::int8 FROM hindsight.rollup_dirty_days") == 0)

                // More executions on the second day only: one dirty day per domain, same equality.
                let writer = ConsolidationWriter(client: owner, logger: S.logger)
                try await F.store(60, startingAt: start + F.microsPerDay + 3_600_000_000, spacingMicros: 60_000_000, seed: 4, with: writer)
                try await F.foldDirtyDays(owner)
                #expect(try await F.integer(owner, "SELECT count(DISTINCT day)::int8 FROM hindsight.rollup_dirty_days") == 1)
            }
            let second = try await S.withClient(S.url(url, role: "hindsight_analyzer")) { analyzer in
                try await F.refreshAll(analyzer, oldestDay: DailyRollups.oldestDay(retainedDays: 365, now: now))
            }
            #expect(second.allSatisfy { $0.days == 1 })
            try await S.withClient(url) { owner in
                let phases = try await Self.phaseRows(owner, direct: false)
                #expect(try await phases == Self.phaseRows(owner, direct: true))
                #expect(try await Self.durationRows(owner, direct: false) == Self.durationRows(owner, direct: true))
            }
        }
    }

    /// Durations from 1 ms to a few hours, log-uniform with a heavier tail, deterministic.
    static func durations(_ count: Int, seed: UInt64) -> [Double] {
        var rng = SplitMix64(seed: seed)
        return (0..<count).map { _ in
            let base = exp(log(0.001) + rng.unit() * (log(20_000) - log(0.001)))
            return rng.unit() < 0.05 ? base * 3 : base
        }
    }

    static func nearestRank(_ sorted: [Double], _ fraction: Double) -> Double {
        sorted[max(0, Int((fraction * Double(sorted.count)).rounded(.up)) - 1)]
    }

    @Test("histogram percentiles are within ±9.6 % of the exact nearest-rank percentile")
    func percentileError() async throws {
        try await S.withMigratedDatabase { url in
            try await S.withClient(url) { client in
                for seed in [1, 2, 3] as [UInt64] {
                    let values = Self.durations(5000, seed: seed)
                    let sorted = values.sorted()
                    for fraction in [0.01, 0.25, 0.5, 0.9, 0.95, 0.99, 1.0] {
                        let rows = try await client.query("""
                            SELECT hindsight.histogram_percentile(hindsight.duration_histogram(d), \(fraction))
                            FROM unnest(\(values)::float8[]) AS d
                            """, logger: S.logger)
                        var approximate = -1.0
                        for try await value in rows.decode(Double.self) { approximate = value }
                        let exact = Self.nearestRank(sorted, fraction)
                        let error = abs(approximate - exact) / exact
                        #expect(error <= 0.096, "seed \(seed) p\(fraction * 100): \(approximate) vs exact \(exact) (\(error))")
                    }
                }
            }
        }
    }

    @Test("merging the histograms of two days equals the histogram of both days' durations")
    func mergeEqualsUnion() async throws {
        try await S.withMigratedDatabase { url in
            try await S.withClient(url) { client in
                let dayOne = Self.durations(3000, seed: 8)
                let dayTwo = Self.durations(2000, seed: 9).map { $0 * 1.7 }
                let rows = try await client.query("""
                    WITH h AS (
                        SELECT (SELECT hindsight.duration_histogram(d) FROM unnest(\(dayOne)::float8[]) d) AS one,
                               (SELECT hindsight.duration_histogram(d) FROM unnest(\(dayTwo)::float8[]) d) AS two,
                               (SELECT hindsight.duration_histogram(d) FROM unnest(\(dayOne + dayTwo)::float8[]) d) AS union_h)
                    SELECT (SELECT hindsight.histogram_merge(x) FROM (VALUES (one), (two)) AS u(x))::float8[],
                           union_h::float8[],
                           hindsight.histogram_percentile(hindsight.histogram_add(one, two), 0.95),
                           hindsight.histogram_percentile(union_h, 0.95)
                    FROM h
                    """, logger: S.logger)
                var checked = false
                for try await (merged, both, p95Merged, p95Both) in rows.decode(([Double], [Double], Double, Double).self) {
                    #expect(merged == both)
                    #expect(merged.map { Int($0) } == F.histogram(dayOne + dayTwo))
                    #expect(p95Merged == p95Both)
                    let exact = Self.nearestRank((dayOne + dayTwo).sorted(), 0.95)
                    #expect(abs(p95Merged - exact) / exact <= 0.096)
                    checked = true
                }
                #expect(checked)
            }
        }
    }
}

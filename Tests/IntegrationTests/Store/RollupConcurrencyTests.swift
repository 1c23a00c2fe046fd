import Foundation
import HindsightStore
import HindsightTesting
import PostgresNIO
import Testing

@Suite("Store: rollup under concurrent writers", .serialized)
struct RollupConcurrencyTests {
    typealias S = StoreTestSupport

    /// Four writers (tracker role, separate clients) upsert overlapping executions at once — the way
    /// several trackers consolidate one stream — with statuses and start days changing back and forth.
    /// Afterwards the rollup must equal a recount, and no transaction may have deadlocked.
    @Test("concurrent upserts keep domain_daily_stats exact")
    func concurrentUpserts() async throws {
        let ids = (0..<60).map { _ in UUID() }.sorted { $0.uuidString < $1.uuidString }
        let statuses = StoredExecution.statuses
        let now = S.date("2025-06-15T12:00:00Z")
        try await S.withMigratedDatabase { url in
            let tracker = S.url(url, role: "hindsight_tracker")
            try await withThrowingTaskGroup(of: Void.self) { group in
                for writer in 0..<4 {
                    group.addTask {
                        try await S.withClient(tracker) { client in
                            var generator = SystemRandomNumberGenerator()
                            for round in 0..<25 {
                                // A batch: 12 of the shared executions, in stable key order (as the tracker).
                                let batch = ids.shuffled(using: &generator).prefix(12).sorted { $0.uuidString < $1.uuidString }
                                let batchIDs = Array(batch)
                                let domains = batchIDs.map { _ in ["alpha", "beta"].randomElement(using: &generator)! }
                                let states = batchIDs.map { _ in statuses.randomElement(using: &generator)! }
                                let starts = batchIDs.map { _ in now.addingTimeInterval(-Double(Int.random(in: 0...3, using: &generator)) * 86_400) }
                                // Durations; -1 stands for "no end yet" (PostgresNIO binds no arrays of optionals).
                                let durations = states.map { $0 == "running" ? -1.0 : Double(10 + writer + round) }
                                try await client.query("""
                                    INSERT INTO hindsight.executions (execution_id, domain, status, started_at, ended_at, first_event_at, last_event_at)
                                    SELECT id, d, s, st, CASE WHEN du >= 0 THEN st + du * interval '1 second' END, st, st
                                    FROM unnest(\(batchIDs)::uuid[], \(domains)::text[], \(states)::text[],
                                                \(starts)::timestamptz[], \(durations)::float8[]) AS b(id, d, s, st, du)
                                    ON CONFLICT (execution_id) DO UPDATE SET
                                        domain = excluded.domain, status = excluded.status,
                                        started_at = excluded.started_at, ended_at = excluded.ended_at,
                                        event_count = hindsight.executions.event_count + 1
                                    """, logger: S.logger)
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
            try await S.withClient(url) { client in
                let mismatches = try await client.query("""
                    WITH recount AS (
                        SELECT domain, (started_at AT TIME ZONE 'UTC')::date AS day, count(*) AS total,
                               count(*) FILTER (WHERE status = 'running') AS running,
                               count(*) FILTER (WHERE status = 'completed') AS completed,
                               count(*) FILTER (WHERE status = 'failed') AS failed,
                               count(*) FILTER (WHERE status = 'recovered') AS recovered,
                               count(duration_s) AS duration_n, coalesce(sum(duration_s::numeric), 0) AS duration_sum
                        FROM hindsight.executions WHERE started_at IS NOT NULL GROUP BY 1, 2
                    ), rollup AS (
                        SELECT domain, day, total, running, completed, failed, recovered, duration_n, duration_sum
                        FROM hindsight.domain_daily_stats WHERE total <> 0 OR duration_n <> 0
                    )
                    SELECT count(*)::int8 FROM ((TABLE recount EXCEPT TABLE rollup) UNION ALL (TABLE rollup EXCEPT TABLE recount)) d
                    """, logger: S.logger).collect().first?.decode(Int.self)
                #expect(mismatches == 0)
                let total = try await client.query("SELECT sum(total)::int8 FROM hindsight.domain_daily_stats", logger: S.logger)
                    .collect().first?.decode(Int?.self)
                #expect(total == ids.count)
            }
        }
    }
}

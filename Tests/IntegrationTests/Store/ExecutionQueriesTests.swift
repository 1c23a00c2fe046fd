import Foundation
import HindsightStore
import HindsightTesting
import PostgresNIO
import Testing

@Suite("Store: execution queries", .serialized)
struct ExecutionQueriesTests {
    typealias S = StoreTestSupport

    /// "Now" for the data set: midday, so the 30-day window starts mid-day and both the rollup's
    /// whole days and its partial first day are exercised.
    static let now = S.date("2025-06-15T12:00:00Z")

    struct Row {
        var id = UUID()
        var domain: String
        var status: String
        var startedHoursAgo: Double?
        var durationS: Double?
    }

    /// The hand-built data set: alpha has 7 executions (one outside the 30-day window, one without a
    /// start event), beta 2.
    static let rows: [Row] = [
        Row(domain: "alpha", status: "completed", startedHoursAgo: 1, durationS: 10),
        Row(domain: "alpha", status: "completed", startedHoursAgo: 30, durationS: 20),
        Row(domain: "alpha", status: "failed", startedHoursAgo: 24 * 3, durationS: 40),
        Row(domain: "alpha", status: "recovered", startedHoursAgo: 24 * 10, durationS: 30),
        Row(domain: "alpha", status: "running", startedHoursAgo: 24 * 30 - 2, durationS: nil),  // inside, on the partial day
        Row(domain: "alpha", status: "completed", startedHoursAgo: 24 * 30 + 2, durationS: 99), // just outside
        Row(domain: "alpha", status: "running", startedHoursAgo: nil, durationS: nil),          // no start event yet
        Row(domain: "beta", status: "failed", startedHoursAgo: 2, durationS: 5),
        Row(domain: "beta", status: "completed", startedHoursAgo: 24 * 8, durationS: 7),
    ]

    static func insert(_ rows: [Row], client: PostgresClient) async throws {
        for row in rows {
            let started = row.startedHoursAgo.map { now.addingTimeInterval(-$0 * 3600) }
            let ended = started.flatMap { start in row.durationS.map { start.addingTimeInterval($0) } }
            let first = started ?? now
            try await client.query("""
                INSERT INTO hindsight.executions (execution_id, domain, agent_id, goal, plan, status, started_at, ended_at,
                    event_count, first_event_at, last_event_at)
                VALUES (\(row.id), \(row.domain), 'agent-1', 'goal', \(["plan", "build"]), \(row.status), \(started), \(ended),
                    3, \(first), \(ended ?? first))
                """, logger: S.logger)
        }
    }

    func withData(_ body: (ExecutionQueries, PostgresClient) async throws -> Void) async throws {
        try await S.withMigratedDatabase { url in
            try await S.withClient(url) { client in
                try await Self.insert(Self.rows, client: client)
                try await body(ExecutionQueries(client: client, logger: S.logger), client)
            }
        }
    }

    @Test("an execution with its events ordered by ts then seq; unknown ids give nil")
    func executionWithEvents() async throws {
        try await withData { queries, client in
            let row = Self.rows[1]
            let start = Self.now.addingTimeInterval(-30 * 3600)
            try await PartitionMaintenance(client: client, logger: S.logger).ensurePartitions(covering: start, start.addingTimeInterval(20))
            // Inserted out of order; two events share a timestamp and are ordered by seq.
            let events: [(Int, Double, String)] = [(2, 5, "tool_used"), (0, 0, "execution_started"), (3, 20, "execution_completed"), (1, 5, "phase_started")]
            for (seq, offset, type) in events {
                try await client.query("""
                    INSERT INTO hindsight.events (event_id, execution_id, seq, ts, type, phase, data)
                    VALUES (\(UUID()), \(row.id), \(seq), \(start.addingTimeInterval(offset)), \(type), 'plan', '{"n": 1, "s": "x"}'::jsonb)
                    """, logger: S.logger)
            }
            let found = try #require(try await queries.execution(row.id))
            #expect(found.execution.domain == "alpha" && found.execution.status == "completed")
            #expect(found.execution.durationSeconds == 20)
            #expect(found.execution.plan == ["plan", "build"])
            #expect(found.events.map(\.seq) == [0, 1, 2, 3])
            #expect(found.events.first?.type == "execution_started")
            // The payload is embedded as JSON in the Codable output.
            let json = String(decoding: try JSONEncoder().encode(found.events[0]), as: UTF8.self)
            #expect(json.contains(#""data":{"#))
            #expect(try await queries.execution(UUID()) == nil)
        }
    }

    @Test("executions by domain: newest first, without a start last, status filter, limit")
    func byDomain() async throws {
        try await withData { queries, _ in
            let alpha = try await queries.executions(domain: "alpha")
            let expected = [0, 1, 2, 3, 4, 5, 6].map { Self.rows[$0].id }
            #expect(alpha.map(\.executionID) == expected)
            let limited = try await queries.executions(domain: "alpha", limit: 2).map(\.executionID)
            #expect(limited == Array(expected.prefix(2)))
            let completed = try await queries.executions(domain: "alpha", status: "completed").map(\.executionID)
            #expect(completed == [0, 1, 5].map { Self.rows[$0].id })
            let gamma = try await queries.executions(domain: "gamma")
            #expect(gamma.isEmpty)
        }
    }

    @Test("recent executions by time range, with and without status")
    func recent() async throws {
        try await withData { queries, _ in
            let week = try await queries.recentExecutions(days: 7, now: Self.now)
            #expect(week.map(\.executionID) == [0, 7, 1, 2].map { Self.rows[$0].id })
            let failed = try await queries.recentExecutions(days: 7, status: "failed", now: Self.now)
            #expect(failed.map(\.executionID) == [7, 2].map { Self.rows[$0].id })
            let range = try await queries.recentExecutions(
                since: Self.now.addingTimeInterval(-11 * 86_400), until: Self.now.addingTimeInterval(-2 * 86_400))
            #expect(range.map(\.executionID) == [2, 8, 3].map { Self.rows[$0].id })
        }
    }

    @Test("executions by status, and counts per status")
    func byStatus() async throws {
        try await withData { queries, _ in
            let failed = try await queries.executions(status: "failed").map(\.executionID)
            #expect(failed == [7, 2].map { Self.rows[$0].id })
            let running = try await queries.executions(status: "running").map(\.executionID)
            #expect(running == [4, 6].map { Self.rows[$0].id })
            let counts = try await queries.statusCounts()
            #expect(counts == ["completed": 4, "failed": 2, "recovered": 1, "running": 2])
        }
    }

    @Test("domain statistics: rollup and scan agree with the hand count, percentiles on demand")
    func domainStatistics() async throws {
        try await withData { queries, client in
            for method in DomainStatisticsMethod.allCases {
                let stats = try await queries.domainStatistics(domain: "alpha", days: 30, percentiles: true, method: method, now: Self.now)
                // In the window: rows 0…4 (row 5 is 2 h too old, row 6 has no start).
                #expect(stats.totalExecutions == 5, "\(method)")
                #expect(stats.completedCount == 2 && stats.failedCount == 1 && stats.recoveredCount == 1 && stats.runningCount == 1, "\(method)")
                #expect(stats.successRate == 0.4, "\(method)")
                #expect(stats.avgDurationSeconds == 25, "\(method)")        // (10 + 20 + 40 + 30) / 4
                #expect(stats.p50DurationSeconds == 25, "\(method)")        // 10, 20, 30, 40 → 25
                #expect(abs((stats.p95DurationSeconds ?? 0) - 38.5) < 1e-9, "\(method)") // 30 + 0.85·10
            }
            let plain = try await queries.domainStatistics(domain: "alpha", days: 30, now: Self.now)
            #expect(plain.p50DurationSeconds == nil)
            let empty = try await queries.domainStatistics(domain: "gamma", days: 30, now: Self.now)
            #expect(empty.totalExecutions == 0 && empty.successRate == 0 && empty.avgDurationSeconds == nil)

            // The rollup stays exact through upserts, status changes, moves and deletes.
            try await client.query("""
                INSERT INTO hindsight.executions AS x (execution_id, domain, status, started_at, ended_at, first_event_at, last_event_at)
                VALUES (\(Self.rows[4].id), 'alpha', 'completed', \(Self.now.addingTimeInterval(-3600)), \(Self.now), \(Self.now), \(Self.now)),
                       (\(UUID()), 'alpha', 'failed', \(Self.now.addingTimeInterval(-7200)), \(Self.now), \(Self.now), \(Self.now))
                ON CONFLICT (execution_id) DO UPDATE SET status = excluded.status, started_at = excluded.started_at, ended_at = excluded.ended_at
                """, logger: S.logger)
            try await client.query("UPDATE hindsight.executions SET domain = 'beta' WHERE execution_id = \(Self.rows[3].id)", logger: S.logger)
            try await client.query("DELETE FROM hindsight.executions WHERE execution_id = \(Self.rows[2].id)", logger: S.logger)
            try await client.query("UPDATE hindsight.executions SET event_count = event_count + 1", logger: S.logger)
            for domain in ["alpha", "beta"] {
                let rollup = try await queries.domainStatistics(domain: domain, days: 30, method: .rollup, now: Self.now)
                let scan = try await queries.domainStatistics(domain: domain, days: 30, method: .scan, now: Self.now)
                #expect(rollup == scan, "\(domain)")
            }
            let all = try await client.query("""
                SELECT count(*)::int8 FROM (
                    SELECT domain, (started_at AT TIME ZONE 'UTC')::date AS day, count(*) AS total,
                           count(*) FILTER (WHERE status = 'completed') AS completed, count(duration_s) AS n
                    FROM hindsight.executions WHERE started_at IS NOT NULL GROUP BY 1, 2
                    EXCEPT SELECT domain, day, total, completed, duration_n FROM hindsight.domain_daily_stats WHERE total <> 0
                ) d
                """, logger: S.logger).collect().first?.decode(Int.self)
            #expect(all == 0, "rollup differs from a full recount")
        }
    }
}

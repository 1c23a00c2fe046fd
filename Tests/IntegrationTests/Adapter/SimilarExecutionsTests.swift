import Foundation
import HindsightCore
import HindsightStore
import HindsightTesting
import HindsightWorkers
import PostgresNIO
import Testing

/// `SimilarExecutions` on a migrated scratch database, queried as `hindsight_adapter` (pg_trgm of 0062).
@Suite("Adapter: similar executions (pg_trgm)", .serialized)
struct SimilarExecutionsTests {
    typealias S = StoreTestSupport

    static func id(_ n: Int) -> UUID {
        UUID(uuidString: String(format: "00000000-0000-4000-8000-%012d", n)) ?? UUID()
    }

    static let rows: [(Int, String, String, String, Double?)] = [
        (1, "data", "Clean and aggregate sales data", "completed", 120),
        (2, "data", "Clean and aggregate the sales data for March", "failed", 30),
        (3, "data", "Build the weekly revenue report", "completed", 60),
        (4, "data", "Clean and aggregate sales data", "running", nil),
        (5, "other", "Clean and aggregate sales data", "completed", 90),
    ]

    @Test("same domain only, finished, ranked by similarity; cross_domain adds other domains, labelled")
    func findsSimilarGoals() async throws {
        try await S.withMigratedDatabase { url in
            try await S.withClient(url) { owner in
                let now = Date()
                for (n, domain, goal, status, duration) in Self.rows {
                    let started = now.addingTimeInterval(-Double(3600 + n))
                    let ended = duration.map { started.addingTimeInterval($0) }
                    try await owner.query("""
                        INSERT INTO hindsight.executions (execution_id, domain, goal, status, started_at, ended_at, first_event_at, last_event_at)
                        VALUES (\(Self.id(n)), \(domain), \(goal), \(status), \(started), \(ended), \(started), \(ended ?? started))
                        """, logger: S.logger)
                }
            }
            try await S.withClient(S.url(url, role: "hindsight_adapter")) { client in
                let finder = SimilarExecutions(client: client, logger: S.logger)
                let same = try await finder.find(goal: "Clean and aggregate sales data", domain: "data", crossDomain: false, excluding: nil)
                #expect(same.map(\.executionID) == [Self.id(1), Self.id(2)])
                #expect(same.first?.similarity == 1 && same.first?.durationSeconds == 120 && same.first?.status == "completed")
                #expect(same.allSatisfy { !$0.crossDomain && $0.domain == "data" })
                #expect(same[1].similarity < 1 && same[1].similarity >= 0.3)

                let excluded = try await finder.find(goal: "Clean and aggregate sales data", domain: "data", crossDomain: false, excluding: Self.id(1))
                #expect(excluded.map(\.executionID) == [Self.id(2)])

                let cross = try await finder.find(goal: "Clean and aggregate sales data", domain: "data", crossDomain: true, excluding: nil)
                #expect(Set(cross.map(\.executionID)) == [Self.id(1), Self.id(2), Self.id(5)])
                #expect(cross.first { $0.executionID == Self.id(5) }?.crossDomain == true)

                #expect(try await finder.find(goal: "Compile the kernel", domain: "data", crossDomain: false, excluding: nil).isEmpty)
            }
        }
    }

    static func insert(_ rows: [(Int, String, String, String, Double?)], into url: DatabaseURL) async throws {
        try await S.withClient(url) { owner in
            let now = Date()
            for (n, domain, goal, status, duration) in rows {
                // A higher number started later.
                let started = now.addingTimeInterval(-Double(7200 - n * 60))
                let ended = duration.map { started.addingTimeInterval($0) }
                try await owner.query("""
                    INSERT INTO hindsight.executions (execution_id, domain, goal, status, started_at, ended_at, first_event_at, last_event_at)
                    VALUES (\(Self.id(n)), \(domain), \(goal), \(status), \(started), \(ended), \(started), \(ended ?? started))
                    """, logger: S.logger)
            }
        }
    }

    @Test("one entry per goal text: the most recent completed run, with how many runs share the goal")
    func groupsRepeatedGoals() async throws {
        try await S.withMigratedDatabase { url in
            try await Self.insert([
                (11, "ops", "Nightly warehouse refresh", "completed", 300),
                (12, "ops", "Nightly warehouse refresh", "completed", 280),
                (13, "ops", "Nightly warehouse refresh", "failed", 40),
                (14, "ops", "Nightly warehouse refresh job", "completed", 310),
                (15, "other", "Nightly warehouse refresh", "completed", 200),
                (16, "ops", "Weekly backup", "failed", 10),
                (17, "ops", "Weekly backup", "failed", 12),
            ], into: url)
            try await S.withClient(S.url(url, role: "hindsight_adapter")) { client in
                let finder = SimilarExecutions(client: client, logger: S.logger)
                let found = try await finder.find(goal: "Nightly warehouse refresh", domain: "ops", crossDomain: false, excluding: nil)
                #expect(found.map(\.executionID) == [Self.id(12), Self.id(14)])
                #expect(found.map(\.executions) == [3, 1])
                #expect(found.first?.status == "completed" && found.first?.durationSeconds == 280 && found.first?.similarity == 1)

                // The requester is not counted; the next best stands for the rest.
                let excluding = try await finder.find(goal: "Nightly warehouse refresh", domain: "ops", crossDomain: false, excluding: Self.id(12))
                #expect(excluding.first?.executionID == Self.id(11) && excluding.first?.executions == 2)

                // No completed run: the most recent one.
                let failed = try await finder.find(goal: "Weekly backup", domain: "ops", crossDomain: false, excluding: nil)
                #expect(failed.map(\.executionID) == [Self.id(17)] && failed.first?.executions == 2)

                // Across domains the same goal is one entry per domain, labelled.
                let cross = try await finder.find(goal: "Nightly warehouse refresh", domain: "ops", crossDomain: true, excluding: nil)
                #expect(Set(cross.map(\.executionID)) == [Self.id(12), Self.id(14), Self.id(15)])
                #expect(cross.first { $0.executionID == Self.id(15) }.map { $0.crossDomain && $0.executions == 1 } == true)
            }
        }
    }
}

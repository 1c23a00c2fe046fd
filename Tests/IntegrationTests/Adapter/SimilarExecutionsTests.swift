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
}

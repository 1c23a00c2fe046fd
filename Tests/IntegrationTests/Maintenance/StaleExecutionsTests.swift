import Foundation
import HindsightCore
import HindsightStore
import HindsightTesting
import PostgresNIO
import Testing

@Suite("Maintenance: stale executions threshold")
struct StaleThresholdTests {
    @Test("max(floor, factor × p99); without a p99 the default (never under the floor)")
    func rule() {
        let policy = StaleExecutions.Policy()
        #expect(StaleExecutions.threshold(p99: 1000, policy: policy) == 3000)
        #expect(StaleExecutions.threshold(p99: 10, policy: policy) == 600, "the floor")
        #expect(StaleExecutions.threshold(p99: 200, policy: policy) == 600, "3 × 200 is exactly the floor")
        #expect(StaleExecutions.threshold(p99: nil, policy: policy) == 86_400)
        #expect(StaleExecutions.threshold(p99: .nan, policy: policy) == 86_400)
        #expect(StaleExecutions.threshold(p99: -1, policy: policy) == 86_400)
        let custom = StaleExecutions.Policy(factor: 5, floorSeconds: 3600, defaultSeconds: 60)
        #expect(StaleExecutions.threshold(p99: 1000, policy: custom) == 5000)
        #expect(StaleExecutions.threshold(p99: nil, policy: custom) == 3600, "a default under the floor is raised to it")
    }
}

/// A crashed agent's execution is marked abandoned (and counted so in the rollup); its completion,
/// arriving late through the tracker's writer, replaces the mark.
@Suite("Maintenance: stale executions", .serialized)
struct StaleExecutionsTests {
    typealias S = StoreTestSupport
    typealias F = MaintenanceFixtures

    struct Row: Equatable {
        var status: String
        var abandoned: Bool
        var ended: Bool
    }

    static func row(_ client: PostgresClient, _ id: UUID) async throws -> Row? {
        let rows = try await client.query("""
            SELECT status, abandoned_at IS NOT NULL, ended_at IS NOT NULL FROM hindsight.executions WHERE execution_id = \(id)
            """, logger: S.logger)
        for try await (status, abandoned, ended) in rows.decode((String, Bool, Bool).self) {
            return Row(status: status, abandoned: abandoned, ended: ended)
        }
        return nil
    }

    /// running, finished (completed, failed or recovered), abandoned and total of the domain's rollup rows.
    static func counts(_ client: PostgresClient, _ domain: String) async throws -> [Int] {
        let rows = try await client.query("""
            SELECT coalesce(sum(running), 0)::int8, coalesce(sum(completed + failed + recovered), 0)::int8, coalesce(sum(abandoned), 0)::int8,
                   coalesce(sum(total), 0)::int8
            FROM hindsight.domain_daily_stats WHERE domain = \(domain)
            """, logger: S.logger)
        for try await (running, finished, abandoned, total) in rows.decode((Int, Int, Int, Int).self) {
            return [running, finished, abandoned, total]
        }
        return []
    }

    @Test("a stale execution is marked abandoned and counted; its late completion lands and clears the mark")
    func abandonedThenCompleted() async throws {
        try await S.withMigratedDatabase { url in
            let now = Date()
            let nowMicros = Int64(now.timeIntervalSince1970 * 1_000_000)
            let domain = FleetSimulator.defaultProfiles[0].domain
            // One profile only, so every execution is in the same domain.
            let profiles = [FleetSimulator.defaultProfiles[0]]
            var simulator = FleetSimulator(seed: 5, profiles: profiles)
            let stale = simulator.execution(startingAt: nowMicros - 3 * 3_600_000_000)
            let young = simulator.execution(startingAt: nowMicros - 60_000_000)
            let finished = simulator.execution(startingAt: nowMicros - 5 * 3_600_000_000)
            let isCompletion: (WireEvent) -> Bool = { $0.type == .executionCompleted }
            let staleCompletion = stale.filter(isCompletion)
            guard let staleID = stale.first?.executionID, let youngID = young.first?.executionID,
                  let finishedID = finished.first?.executionID, staleCompletion.count == 1
            else {
                Issue.record("the simulator produced no execution")
                return
            }

            try await S.withClient(S.url(url, role: "hindsight_tracker")) { tracker in
                let writer = ConsolidationWriter(client: tracker, logger: S.logger)
                try await writer.write(stale.filter { !isCompletion($0) } + young.filter { !isCompletion($0) } + finished)
            }
            let stored = try await S.withClient(url) { owner in try await Self.counts(owner, domain) }
            #expect(stored == [2, 1, 0, 3])

            // The analyzer's step, as its role, inside a transaction (its claim).
            let marked = try await S.withClient(S.url(url, role: "hindsight_analyzer")) { analyzer in
                try await analyzer.withTransaction(logger: S.logger) { connection in
                    try await StaleExecutions.markAbandoned(
                        domain: domain, thresholdSeconds: 3600, now: now, on: connection, logger: S.logger)
                }
            }
            #expect(marked == 1)
            try await S.withClient(url) { owner in
                let staleRow = try await Self.row(owner, staleID)
                #expect(staleRow == Row(status: "abandoned", abandoned: true, ended: false))
                #expect(try await Self.row(owner, youngID) == Row(status: "running", abandoned: false, ended: false))
                #expect(try await Self.row(owner, finishedID)?.abandoned == false)
                #expect(try await Self.counts(owner, domain) == [1, 1, 1, 3], "running 1, finished 1, abandoned 1")
            }

            // Marking again finds nothing new.
            let again = try await S.withClient(S.url(url, role: "hindsight_analyzer")) { analyzer in
                try await analyzer.withConnection { connection in
                    try await StaleExecutions.markAbandoned(
                        domain: domain, thresholdSeconds: 3600, now: now, on: connection, logger: S.logger)
                }
            }
            #expect(again == 0)

            // The completion arrives late through the tracker's path and wins over the mark.
            try await S.withClient(S.url(url, role: "hindsight_tracker")) { tracker in
                try await ConsolidationWriter(client: tracker, logger: S.logger).write(staleCompletion)
            }
            try await S.withClient(url) { owner in
                let row = try await Self.row(owner, staleID)
                #expect(row?.status != "abandoned" && row?.status != "running" && row?.ended == true)
                #expect(row?.abandoned == true, "abandoned_at records that it was abandoned once")
                #expect(try await Self.counts(owner, domain) == [1, 2, 0, 3], "the rollup moved the count from abandoned to finished")
            }
        }
    }
}

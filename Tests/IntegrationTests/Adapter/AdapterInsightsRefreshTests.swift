import Foundation
import HindsightAgent
import HindsightCore
import HindsightStore
import HindsightTesting
import HindsightWorkers
import PostgresNIO
import Testing

/// The cache follows the analyzer through `NOTIFY hindsight_insights`, not the timer: with the timer at
/// hours, a new analyzer round shows in the very next answers.
@Suite("Adapter: insights refresh on NOTIFY", .serialized)
struct AdapterInsightsRefreshTests {
    typealias S = StoreTestSupport

    static func analyse(_ owner: PostgresClient, executions: Int, now: Int64) async throws {
        try await ConsolidationWriter(client: owner, logger: S.logger)
            .write(AdapterLearningLoopTests.events(count: executions, now: now))
        var configuration = Analyzer.Configuration()
        configuration.instanceName = "refresh-analyzer"
        _ = try await Analyzer(configuration: configuration, client: owner, logger: S.logger).runRound()
    }

    /// Whether a session of this database is listening on the insights channel (its last statement).
    static func listening(_ owner: PostgresClient) async throws -> Bool {
        let rows = try await owner.query("""
            SELECT count(*)::int8 FROM pg_stat_activity
            WHERE datname = current_database() AND query ILIKE 'LISTEN%hindsight_insights%'
            """, logger: S.logger)
        for try await count in rows.decode(Int64.self) { return count > 0 }
        return false
    }

    @Test("a new analyzer round reaches the next reply (insights_computed_at) without waiting for the hourly timer")
    func notifiedRoundIsServed() async throws {
        try await S.withMigratedDatabase { url in
            try await S.withClient(url) { owner in
                let now = WireFormat.currentMicros()
                try await Self.analyse(owner, executions: 20, now: now - 3_600_000_000)
                let harness = try await AdapterHarness()
                defer { Task { await harness.cleanUp() } }
                let client = harness.client
                let request = EstimateRequest(domain: AdapterLearningLoopTests.domain, plan: [RPCPlanPhase(name: "work", estimatedSeconds: 10)])
                var configuration = harness.configuration()
                configuration.refreshInterval = .seconds(6 * 3600)
                let loader = StoreKnowledgeLoader(client: owner, logger: S.logger)
                let (first, listened, later) = try await harness.withAdapter(
                    loader: loader, configuration: configuration, listeningOn: owner
                ) { _ in
                    let first = try await client.estimate(request)
                    // The listener starts beside the first load: wait until it listens (else the NOTIFY is missed).
                    var listened = false
                    for _ in 0..<300 where !listened {
                        listened = try await Self.listening(owner)
                        if !listened { try await Task.sleep(for: .milliseconds(100)) }
                    }
                    // insights_computed_at has whole seconds: the second round must fall in a later
                    // second for the new insights to be told from the first ones.
                    try await Task.sleep(for: .milliseconds(1_100))
                    try await Self.analyse(owner, executions: 10, now: now)
                    // Waits for the reload the NOTIFY triggers; the timer would not fire for six hours.
                    var later = try await client.estimate(request)
                    for _ in 0..<300 where later.insightsComputedAt == first.insightsComputedAt {
                        try await Task.sleep(for: .milliseconds(100))
                        later = try await client.estimate(request)
                    }
                    return (first, listened, later)
                }
                #expect(listened)
                #expect(first.insightsComputedAt != nil)
                #expect(later.insightsComputedAt != nil && later.insightsComputedAt != first.insightsComputedAt)
                // The second round's ten executions are in the new answer.
                #expect((later.result.phases.first?.sampleSize ?? 0) > (first.result.phases.first?.sampleSize ?? 0))
            }
        }
    }
}

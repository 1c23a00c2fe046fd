import Foundation
import HindsightAgent
import HindsightCore
import HindsightStore
import HindsightTesting
import HindsightWorkers
import Testing

/// The A/B loop as an agent sees it: executions with their variant go through the tracker's writer and
/// the analyzer; the adapter's `plan.optimize` answers follow the promotion — after enough executions, not before.
@Suite("Adapter: A/B loop", .serialized)
struct AdapterABLoopTests {
    typealias S = StoreTestSupport
    typealias V = VariantPromotionTests
    typealias A = AnalyzerInsightsTests

    static func variants(_ client: AdapterClient, count: Int) async throws -> [RPCVariantAssignment?] {
        var assignments: [RPCVariantAssignment?] = []
        for _ in 0..<count {
            let request = PlanOptimizeRequest(
                domain: V.domain, goal: "ab", executionID: UUID(), plan: [RPCPlanPhase(name: "work", estimatedSeconds: 10)])
            assignments.append(try await client.optimize(request).result.variant)
        }
        return assignments
    }

    @Test("a better variant is served to every execution once promoted (35 per variant), not at 20 per variant")
    func promotedAnswers() async throws {
        try await S.withMigratedDatabase { url in
            try await S.withClient(S.url(url, role: "hindsight_adapter")) { adapterClient in
                let harness = try await AdapterHarness()
                defer { Task { await harness.cleanUp() } }
                let client = harness.client
                let start = WireFormat.currentMicros() - 5 * 60 * AnalyzerFixtures.minute
                let (before, after) = try await harness.withAdapter(loader: StoreKnowledgeLoader(client: adapterClient, logger: S.logger)) { cache in
                    try await A.store(
                        V.executions(.a, count: 20, completed: 10, from: start) + V.executions(.b, count: 20, completed: 20, from: start + 30_000_000),
                        url: url)
                    _ = try await A.withAnalyzer(url) { try await $0.runRound() }
                    #expect(await cache.reloadAll())
                    let before = try await Self.variants(client, count: 20)
                    let later = start + 60 * AnalyzerFixtures.minute
                    try await A.store(
                        V.executions(.a, count: 15, completed: 7, from: later) + V.executions(.b, count: 15, completed: 15, from: later + 30_000_000),
                        url: url)
                    _ = try await A.withAnalyzer(url) { try await $0.runRound() }
                    #expect(await cache.reloadAll())
                    return (before, try await Self.variants(client, count: 20))
                }
                #expect(before.allSatisfy { $0?.promoted != true }, "not promoted at 20 executions per variant")
                #expect(after.allSatisfy { $0 == RPCVariantAssignment(test: V.test, variant: .b, promoted: true) })
            }
        }
    }
}

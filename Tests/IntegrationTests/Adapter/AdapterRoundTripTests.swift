import AMQP
import Foundation
import HindsightAgent
import HindsightCore
import HindsightWorkers
import Testing

/// `AdapterClient` against an in-process `AdapterService` over the real broker: every method answers
/// exactly what the core's handlers compute for the same knowledge; no history gives the plan unchanged.
@Suite("Adapter: round trips")
struct AdapterRoundTripTests {
    @Test("plan.optimize, recovery.strategy and estimate answer as the core does for the same insights")
    func roundTrips() async throws {
        let harness = try await AdapterHarness()
        defer { Task { await harness.cleanUp() } }
        let knowledge = AdapterFixtures.knowledge
        let client = harness.client
        let (optimized, recovery, estimate) = try await harness.withAdapter(knowledge: [knowledge]) {
            (try await client.optimize(AdapterFixtures.optimizeRequest), try await client.recoveryStrategy(for: AdapterFixtures.recoveryRequest),
             try await client.estimate(AdapterFixtures.estimateRequest))
        }
        let expectedPlan = try PlanOptimizeHandler().handle(AdapterFixtures.optimizeRequest, knowledge: knowledge)
        #expect(optimized.result == expectedPlan)
        #expect(optimized.result.phases.map(\.name) != AdapterFixtures.optimizeRequest.plan.map(\.name))  // reordered
        #expect(optimized.result.phases.map(\.estimatedSeconds) != AdapterFixtures.optimizeRequest.plan.map(\.estimatedSeconds))
        #expect(optimized.result.confidence > 0)
        #expect(recovery.result == RecoveryStrategyHandler().handle(AdapterFixtures.recoveryRequest, knowledge: knowledge))
        #expect(estimate.result == EstimateHandler().handle(AdapterFixtures.estimateRequest, knowledge: knowledge))
        for reply in [optimized.adapter, recovery.adapter, estimate.adapter] { #expect(reply == "adapter-test") }
        #expect(optimized.database == .available && optimized.servedFrom == "cache" && optimized.insightsComputedAt != nil)
    }

    @Test("the core's reordering: the adapted phase order is the engine's for the same insights")
    func reorderedAsTheEngine() async throws {
        let harness = try await AdapterHarness()
        defer { Task { await harness.cleanUp() } }
        let client = harness.client
        let reply = try await harness.withAdapter(knowledge: [AdapterFixtures.knowledge]) {
            try await client.optimize(AdapterFixtures.optimizeRequest)
        }
        let request = AdapterFixtures.optimizeRequest
        let plan = try RPCPlanConversion.executionPlan(request.plan, goalID: UUID())
        let adapted = AdaptationEngine().adapt(plan, insights: AdapterFixtures.knowledge.insights, aggressive: false)
        #expect(reply.result.phases.map(\.name) == adapted.plan.phases.map(\.name))
        #expect(reply.result.expectedImprovement == adapted.expectedImprovement)
    }

    @Test("cold start: a domain without history gets the plan unchanged, confidence 0 and the reason")
    func coldStart() async throws {
        let harness = try await AdapterHarness()
        defer { Task { await harness.cleanUp() } }
        let client = harness.client
        var request = AdapterFixtures.optimizeRequest
        request.domain = "never-seen"
        let sent = request
        let (reply, estimate) = try await harness.withAdapter(knowledge: [AdapterFixtures.knowledge]) {
            (try await client.optimize(sent), try await client.estimate(EstimateRequest(domain: "never-seen", plan: sent.plan)))
        }
        #expect(reply.result.phases.map(\.name) == request.plan.map(\.name))
        #expect(reply.result.phases.map(\.estimatedSeconds) == request.plan.map(\.estimatedSeconds))
        #expect(reply.result.changes.isEmpty)
        #expect(reply.result.confidence == 0)
        #expect(reply.result.reason?.contains("No history") == true)
        #expect(reply.insightsComputedAt == nil)
        #expect(estimate.result.confidence == 0)
        #expect(estimate.result.phases.allSatisfy { $0.basis == "plan" && $0.sampleSize == 0 })
    }
}

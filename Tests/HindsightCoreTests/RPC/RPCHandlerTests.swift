import Foundation
import Testing
@testable import HindsightCore

@Suite("RPC handlers (pure, the core's answers)")
struct RPCHandlerTests {
    static let rpcPlan = [
        RPCPlanPhase(name: "fetch", estimatedSeconds: 30),
        RPCPlanPhase(name: "parse", estimatedSeconds: 60),
        RPCPlanPhase(name: "report", estimatedSeconds: 10, dependencies: ["parse"]),
    ]

    static func knowledge(
        confidence: Double = 0.8, recovery: [DomainKnowledge.RecoveryOutcome] = [], ab: DomainKnowledge.ABState? = nil
    ) throws -> DomainKnowledge {
        let insights = try PerformanceInsights(
            goalDomain: "data", sampleSize: 40, insights: [], recommendations: ["Parse before fetching"],
            confidenceScore: confidence, slowPhases: [], commonErrors: [], optimalPhaseOrder: ["parse", "fetch", "report"],
            successRate: 0.9,
            phaseStatistics: [
                PhaseStatistics(phaseName: "fetch", sampleCount: 40, meanDuration: 35, p50: 33, p75: 40, p90: 48, p95: 55,
                                p99: 60, meanEstimate: 30, successRate: 0.95, retryCount: 1, shareOfTotal: 0.3, isSlow: false),
                PhaseStatistics(phaseName: "parse", sampleCount: 40, meanDuration: 150, p50: 140, p75: 170, p90: 200, p95: 220,
                                p99: 260, meanEstimate: 60, successRate: 0.6, retryCount: 9, shareOfTotal: 0.6, isSlow: true),
                PhaseStatistics(phaseName: "report", sampleCount: 3, meanDuration: 9, p50: 9, p75: 9, p90: 10, p95: 10,
                                p99: 10, meanEstimate: 10, successRate: 1, retryCount: 0, shareOfTotal: 0.1, isSlow: false),
            ])
        return DomainKnowledge(domain: "data", insights: insights, recovery: recovery, abTest: ab)
    }

    static func request(executionID: UUID? = nil, aggressive: Bool = false) -> PlanOptimizeRequest {
        PlanOptimizeRequest(domain: "data", goal: "load files", executionID: executionID, plan: rpcPlan,
                            options: .init(aggressive: aggressive))
    }

    @Test func coldStartLeavesThePlanUnchanged() throws {
        let result = try PlanOptimizeHandler().handle(Self.request(), knowledge: nil)
        #expect(result.phases.map(\.name) == ["fetch", "parse", "report"])
        #expect(result.phases.map(\.estimatedSeconds) == [30, 60, 10])
        #expect(result.phases.allSatisfy { $0.requiredCapabilities == nil })
        #expect(result.changes.isEmpty && result.confidence == 0 && result.expectedImprovement == 0 && result.variant == nil)
        #expect(result.reason == "No history for domain 'data': the plan is unchanged")
    }

    @Test func withInsightsThePlanIsExactlyTheCores() throws {
        let knowledge = try Self.knowledge()
        for aggressive in [false, true] {
            let result = try PlanOptimizeHandler().handle(Self.request(aggressive: aggressive), knowledge: knowledge)
            let plan = try RPCPlanConversion.executionPlan(Self.rpcPlan, goalID: PlanOptimizeHandler.goalID(Self.request()))
            let core = AdaptationEngine().adapt(plan, insights: knowledge.insights, aggressive: aggressive)
            #expect(!core.changes.isEmpty)
            #expect(result.phases.map(\.name) == core.phases.map(\.name))
            #expect(result.phases.map(\.estimatedSeconds) == core.phases.map(\.estimatedSeconds))
            #expect(result.phases.map { $0.requiredCapabilities ?? [] }
                == core.phases.map { $0.requiredCapabilities.filter { $0 != RPCPlanConversion.placeholderCapability } })
            #expect(result.phases.map { $0.successIndicators ?? [] } == core.phases.map(\.successIndicators))
            #expect(result.changes.map(\.summary) == core.changes.map(\.summary))
            #expect(result.changes.map(\.reason) == core.changes.map(\.reason))
            #expect(result.expectedImprovement == core.expectedImprovement && result.confidence == core.confidence)
            #expect(result.reason == nil && result.bestPractices == ["Parse before fetching"])
        }
    }

    @Test func changesCarryTheirEvidence() throws {
        let result = try PlanOptimizeHandler().handle(Self.request(), knowledge: try Self.knowledge())
        let reorder = result.changes.first { $0.kind == "reorder" }
        #expect(reorder?.evidence == RPCEvidence(sampleSize: 40, source: "insight_phase_order.phase_order"))
        let parse = result.changes.first { $0.kind == "duration" && $0.phase == "parse" }
        #expect(parse?.evidence == RPCEvidence(sampleSize: 40, source: "insight_phases.p90_s", value: 200))
        let errors = result.changes.first { $0.kind == "error_handling" && $0.phase == "parse" }
        #expect(errors?.evidence == RPCEvidence(sampleSize: 40, source: "insight_phases.success_rate", value: 0.6))
        let checkpoint = result.changes.first { $0.kind == "checkpoint" && $0.phase == "parse" }
        #expect(checkpoint?.evidence.source == "insight_phases.success_rate")
    }

    @Test func lowConfidenceSaysWhy() throws {
        let result = try PlanOptimizeHandler().handle(Self.request(), knowledge: try Self.knowledge(confidence: 0.2))
        #expect(result.changes.isEmpty && result.confidence == 0 && result.reason == "Insufficient confidence")
    }

    @Test func abVariantFollowsTheCoresHashAndPromotion() throws {
        let knowledge = try Self.knowledge()
        let handler = PlanOptimizeHandler()
        let plan = try RPCPlanConversion.executionPlan(Self.rpcPlan, goalID: UUID())
        let test = ABTest(name: "data/adapted-v1", control: plan, candidate: AdaptationEngine().adapt(plan, insights: knowledge.insights))
        var seen = Set<ABTest.Variant>()
        for i in 0..<32 {
            let id = try #require(UUID(uuidString: String(format: "00000000-0000-4000-8000-%012d", i)))
            let result = try handler.handle(Self.request(executionID: id), knowledge: knowledge)
            let expected = test.variant(for: id)
            seen.insert(expected)
            #expect(result.variant == RPCVariantAssignment(test: "data/adapted-v1", variant: expected, promoted: false))
            #expect(result.changes.isEmpty == (expected == .a))
            if expected == .a { #expect(result.phases.map(\.name) == ["fetch", "parse", "report"]) }
        }
        #expect(seen.count == 2)
        let promoted = try Self.knowledge(ab: .init(test: "data/adapted-v1", promotedWinner: .b))
        let id = try #require(UUID(uuidString: "00000000-0000-4000-8000-000000000001"))
        let result = try handler.handle(Self.request(executionID: id), knowledge: promoted)
        #expect(result.variant == RPCVariantAssignment(test: "data/adapted-v1", variant: .b, promoted: true) && !result.changes.isEmpty)
        let control = try handler.handle(Self.request(), knowledge: try Self.knowledge(ab: .init(test: "data/adapted-v1", promotedWinner: .a)))
        #expect(control.variant?.variant == .a && control.variant?.promoted == true && control.changes.isEmpty)
    }

    static func failure(attempt: Int = 1) -> RecoveryStrategyRequest {
        RecoveryStrategyRequest(domain: "data", phase: "parse", errorType: "TimeoutError", message: "timed out", attempt: attempt,
                                elapsedSeconds: 12)
    }

    @Test func recoveryColdStartIsTheDefaultTable() {
        let result = RecoveryStrategyHandler().handle(Self.failure(), knowledge: nil)
        #expect(result.failureType == .timeout && result.action == .retry && result.delaySeconds > 0)
        #expect(result.successEstimate == 0.5 && result.evidence == .init(attempts: 0, successes: 0))
        let classified = RecoveryStrategyHandler().handle(
            RecoveryStrategyRequest(domain: "d", phase: "p", message: "permission denied", attempt: 1, elapsedSeconds: 0), knowledge: nil)
        #expect(classified.failureType == .permissionDenied && classified.action == .escalate)
    }

    @Test func strategyChangesWhenSkipWorksAndRetryDoesNot() throws {
        let knowledge = try Self.knowledge(recovery: [
            .init(failureType: "timeout", strategy: "retry", attempts: 10, successes: 1),
            .init(failureType: "timeout", strategy: "skip", attempts: 8, successes: 8),
            .init(failureType: "network_error", strategy: "retry", attempts: 5, successes: 5),
        ])
        let result = RecoveryStrategyHandler().handle(Self.failure(), knowledge: knowledge)
        #expect(result.action == .skip && result.delaySeconds == 0)
        #expect(result.evidence == .init(attempts: 8, successes: 8) && result.successEstimate == 0.9)
        let policy = RecoveryPolicy(tallies: knowledge.recoveryTallies(phase: "parse"))
        let core = policy.strategy(for: .timeout, phaseName: "parse", estimatedSeconds: nil)
        #expect(result.reason == core.reason && result.confidence == core.confidence)
        let escalated = RecoveryStrategyHandler().handle(Self.failure(attempt: 4), knowledge: knowledge)
        #expect(escalated.action == .escalate)
    }

    @Test func estimatesFromHistoryOrPlan() throws {
        let request = EstimateRequest(domain: "data", plan: Self.rpcPlan + [RPCPlanPhase(name: "extra")])
        let cold = EstimateHandler().handle(request, knowledge: nil)
        #expect(cold.phases.map(\.basis) == ["plan", "plan", "plan", "default"] && cold.confidence == 0)
        #expect(cold.totalSeconds == 160 && cold.totalLowSeconds == 80 && cold.totalHighSeconds == 240)
        let warm = EstimateHandler().handle(request, knowledge: try Self.knowledge())
        #expect(warm.phases.map(\.basis) == ["history", "history", "plan", "default"])
        #expect(warm.phases[0] == .init(name: "fetch", estimateSeconds: 33, lowSeconds: 33, highSeconds: 48, basis: "history", sampleSize: 40))
        #expect(warm.totalSeconds == 33 + 140 + 10 + 60 && warm.totalHighSeconds == 48 + 200 + 15 + 90)
        #expect(abs(warm.confidence - 0.4) < 1e-12)
    }
}

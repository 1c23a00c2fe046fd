import Foundation
import Testing
@testable import HindsightCore

@Suite("Model validation (seed models.py rules)")
struct ModelValidationTests {
    @Test func goalRejectsBlankFields() {
        #expect(throws: ModelError.emptyRawPrompt) { try GoalDefinition(rawPrompt: "  ", goal: "g", domain: "d") }
        #expect(throws: ModelError.emptyGoal) { try GoalDefinition(rawPrompt: "p", goal: "", domain: "d") }
        #expect(throws: ModelError.emptyDomain) { try GoalDefinition(rawPrompt: "p", goal: "g", domain: "\n") }
        let goal = Fixtures.goal()
        #expect(goal.complexity == .moderate && goal.constraints.isEmpty && goal.context.isEmpty)
    }

    @Test func phaseNeedsNameAndCapabilities() {
        #expect(throws: ModelError.emptyPhaseName) {
            try PlanPhase(name: "", description: "", requiredCapabilities: ["x"], estimatedDuration: "1 minute")
        }
        #expect(throws: ModelError.missingCapabilities(phase: "p")) {
            try PlanPhase(name: "p", description: "", requiredCapabilities: [], estimatedDuration: "1 minute")
        }
        let phase = Fixtures.phase("p")
        #expect(phase.parallelSafe && phase.dependencies.isEmpty && phase.successIndicators.isEmpty)
        #expect(ModelError.missingCapabilities(phase: "p").description == "Phase p must specify required capabilities")
    }

    @Test func planPhaseCountAndUniqueNames() {
        #expect(throws: ModelError.noPhases) { try ExecutionPlan(goalID: Fixtures.id(1), phases: [], totalEstimatedDuration: "") }
        let eleven = (1...11).map { Fixtures.phase("p\($0)") }
        #expect(throws: ModelError.tooManyPhases(count: 11)) {
            try ExecutionPlan(goalID: Fixtures.id(1), phases: eleven, totalEstimatedDuration: "")
        }
        #expect(throws: ModelError.duplicatePhaseName("a")) {
            try ExecutionPlan(goalID: Fixtures.id(1), phases: [Fixtures.phase("a"), Fixtures.phase("a")], totalEstimatedDuration: "")
        }
        let ten = try? ExecutionPlan(goalID: Fixtures.id(1), phases: Array(eleven.prefix(10)), totalEstimatedDuration: "")
        #expect(ten?.phaseCount == 10)
        #expect(ModelError.tooManyPhases(count: 11).description == "Plan should have 3-5 phases for MVP (max 10)")
    }

    @Test func eventNeedsType() {
        #expect(throws: ModelError.emptyEventType) { try ExecutionEvent(timestamp: Fixtures.epoch, kind: .custom("")) }
        let event = try? ExecutionEvent(timestamp: Fixtures.epoch, kind: EventKind(rawValue: "test_event"), durationMs: 100, attributes: ["key": "value"])
        #expect(event?.kind.rawValue == "test_event" && event?.attributes["key"] == "value" && event?.durationMs == 100)
        #expect(EventKind(rawValue: "phase_start") == .phaseStart && EventKind.recoveryAttempt.rawValue == "recovery_attempt")
    }

    @Test func traceEndCannotPrecedeStart() throws {
        #expect(throws: ModelError.endBeforeStart) {
            try ExecutionTrace(executionID: Fixtures.id(1), agentBundleID: Fixtures.id(2), startTime: Fixtures.epoch,
                               endTime: Fixtures.epoch.adding(seconds: -1))
        }
        var trace = try ExecutionTrace(executionID: Fixtures.id(1), agentBundleID: Fixtures.id(2), startTime: Fixtures.epoch)
        #expect(trace.status == .running && trace.durationSeconds == nil && !trace.isComplete)
        #expect(throws: ModelError.endBeforeStart) { try trace.complete(at: Fixtures.epoch.adding(seconds: -5), result: nil) }
    }

    @Test func metricsRules() throws {
        #expect(throws: ModelError.emptyMetricsPhaseName) {
            try PhaseMetrics(phaseName: "", estimatedDuration: 1, actualDuration: 1, accuracyRatio: 1, success: true)
        }
        #expect(throws: ModelError.negativeDuration) {
            try PhaseMetrics(phaseName: "p", estimatedDuration: 1, actualDuration: -0.1, accuracyRatio: 1, success: true)
        }
        let zero = try PhaseMetrics(phaseName: "p", estimatedDuration: 10, actualDuration: 0, accuracyRatio: 0, success: true)
        #expect(zero.durationDelta == -10)
        #expect(throws: ModelError.successRateOutOfRange(1.5)) {
            try ExecutionMetrics(executionID: Fixtures.id(1), totalDurationSeconds: 1, phaseMetrics: [], successRate: 1.5, errorCount: 0)
        }
        #expect(throws: ModelError.negativeErrorCount) {
            try ExecutionMetrics(executionID: Fixtures.id(1), totalDurationSeconds: 1, phaseMetrics: [], successRate: 1, errorCount: -1)
        }
        #expect(ModelError.successRateOutOfRange(1.5).description == "Success rate must be 0-1, got 1.5")
    }

    /// Seed test_average_accuracy_ratio.
    @Test func averageAccuracyRatio() throws {
        let p1 = try PhaseMetrics(phaseName: "phase1", estimatedDuration: 50, actualDuration: 60, accuracyRatio: 1.2, success: true)
        let p2 = try PhaseMetrics(phaseName: "phase2", estimatedDuration: 50, actualDuration: 40, accuracyRatio: 0.8, success: true)
        let metrics = try ExecutionMetrics(executionID: Fixtures.id(1), totalDurationSeconds: 100, phaseMetrics: [p1, p2], successRate: 1, errorCount: 0)
        #expect(abs(metrics.averageAccuracyRatio - 1.0) < 1e-12)
        let empty = try ExecutionMetrics(executionID: Fixtures.id(1), totalDurationSeconds: 1, phaseMetrics: [], successRate: 1, errorCount: 0)
        #expect(empty.averageAccuracyRatio == 1.0)
    }

    /// Seed test_has_sufficient_data plus the insights/adapted/strategy validation rules.
    @Test func insightsAdaptedAndStrategyRules() throws {
        func insights(_ n: Int, _ c: Double) throws -> PerformanceInsights {
            try PerformanceInsights(goalDomain: "test", sampleSize: n, insights: [], recommendations: [], confidenceScore: c,
                                    slowPhases: [], commonErrors: [], optimalPhaseOrder: [])
        }
        #expect(try !insights(5, 0.5).hasSufficientData)
        #expect(try insights(15, 0.8).hasSufficientData)
        #expect(try insights(10, 0.5).hasSufficientData)
        #expect(throws: ModelError.negativeSampleSize) { try insights(-1, 0.5) }
        #expect(throws: ModelError.confidenceOutOfRange(1.1)) { try insights(1, 1.1) }
        let plan = Fixtures.plan([Fixtures.phase("a")])
        #expect(throws: ModelError.confidenceOutOfRange(-0.1)) {
            try AdaptedExecutionPlan(plan: plan, originalGoalID: plan.goalID, adaptations: [], expectedImprovement: 0, confidence: -0.1)
        }
        #expect(throws: ModelError.negativeCost) {
            try RecoveryStrategy(kind: .retry, phaseName: "p", reason: "", actions: [], confidence: 0.5, estimatedCost: -1)
        }
        #expect(throws: ModelError.confidenceOutOfRange(2)) {
            try RecoveryStrategy(kind: .retry, phaseName: "p", reason: "", actions: [], confidence: 2, estimatedCost: 1)
        }
        let adapted = try AdaptedExecutionPlan(plan: plan, originalGoalID: plan.goalID, adaptations: ["x", "y"], expectedImprovement: 5, confidence: 1)
        #expect(adapted.adaptationCount == 2 && adapted.originalGoalID == plan.goalID)
    }

    @Test func codableRoundTripRevalidates() throws {
        let plan = Fixtures.plan([Fixtures.phase("a"), Fixtures.phase("b", dependencies: ["a"])])
        let trace = Fixtures.trace(1, goal: Fixtures.goal(), plan: plan, phases: [("a", 10), ("b", 20)], errors: [("boom 42", "b")])
        let data = try JSONEncoder().encode(trace)
        #expect(try JSONDecoder().decode(ExecutionTrace.self, from: data) == trace)
        let bad = Data(#"{"goalID":"00000000-0000-4000-8000-000000000001","phases":[],"totalEstimatedDuration":""}"#.utf8)
        #expect(throws: ModelError.noPhases) { try JSONDecoder().decode(ExecutionPlan.self, from: bad) }
        let ts = Timestamp(microsecondsSinceEpoch: 1_500_000)
        #expect(String(decoding: try JSONEncoder().encode(ts), as: UTF8.self) == "1500000")
        #expect(Timestamp(ts.date) == ts && ts.seconds(since: Timestamp(microsecondsSinceEpoch: 0)) == 1.5)
    }
}

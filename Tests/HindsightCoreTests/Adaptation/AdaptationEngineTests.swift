import Testing
@testable import HindsightCore

@Suite("AdaptationEngine (seed test_adaptation_engine)")
struct AdaptationEngineTests {
    let engine = AdaptationEngine(minimumConfidence: 0.5)

    static let plan = Fixtures.plan([
        Fixtures.phase("phase1", "1 minute"),
        Fixtures.phase("phase2", "2 minutes", dependencies: ["phase1"]),
    ])

    static func insights(
        sample: Int = 20, confidence: Double = 0.8, text: [String] = ["Phases take longer than estimated"],
        slow: [SlowPhase] = [SlowPhase(phaseName: "phase2", averageDuration: 180)],
        errors: [ErrorPattern] = [ErrorPattern(pattern: "Error X", count: 5)],
        order: [String] = ["phase1", "phase2"], successRate: Double? = nil, stats: [PhaseStatistics] = []
    ) -> PerformanceInsights {
        try! PerformanceInsights(goalDomain: "testing", sampleSize: sample, insights: text, recommendations: ["Increase estimates"],
                                 confidenceScore: confidence, slowPhases: slow, commonErrors: errors, optimalPhaseOrder: order,
                                 successRate: successRate, phaseStatistics: stats)
    }

    static func stats(_ name: String, n: Int = 20, mean: Double, p90: Double, success: Double = 1) -> PhaseStatistics {
        PhaseStatistics(phaseName: name, sampleCount: n, meanDuration: mean, p50: mean, p75: (mean + p90) / 2, p90: p90,
                        p95: p90 * 1.1, p99: p90 * 1.2, meanEstimate: nil, successRate: success, retryCount: 0,
                        shareOfTotal: 0.5, isSlow: false)
    }

    @Test func adaptWithConfidence() {
        let adapted = engine.adapt(Self.plan, insights: Self.insights())
        #expect(!adapted.adaptations.isEmpty && adapted.confidence == 0.8 && adapted.expectedImprovement > 0)
        #expect(adapted.originalGoalID == Self.plan.goalID)
        #expect(adapted.changes.allSatisfy { !$0.reason.isEmpty && $0.confidence > 0 && $0.confidence <= 1 })
    }

    @Test func lowConfidenceChangesNothing() {
        let adapted = engine.adapt(Self.plan, insights: Self.insights(sample: 2, confidence: 0.3, slow: [], errors: [], order: []))
        #expect(adapted.confidence == 0 && adapted.adaptations == ["No adaptations applied: Insufficient confidence"])
        #expect(adapted.plan == Self.plan && adapted.expectedImprovement == 0)
    }

    @Test func noBeneficialAdaptation() {
        let insights = Self.insights(slow: [], errors: [], order: ["phase1", "phase2"], successRate: 0.95)
        let adapted = engine.adapt(Self.plan, insights: insights)
        #expect(adapted.adaptations == ["No adaptations applied: No beneficial adaptations found"] && adapted.plan == Self.plan)
    }

    @Test func reorderKeepsDependencies() {
        let adapted = engine.adapt(Self.plan, insights: Self.insights(order: ["phase2", "phase1"]))
        #expect(adapted.phases.map(\.name) == ["phase1", "phase2"])
        #expect(!adapted.changes.contains { $0.kind == .reorder })
        let free = Fixtures.plan([Fixtures.phase("a"), Fixtures.phase("b")])
        let swapped = engine.adapt(free, insights: Self.insights(slow: [], errors: [], order: ["b", "a"], successRate: 0.9))
        #expect(swapped.phases.map(\.name) == ["b", "a"] && swapped.expectedImprovement == 5)
        #expect(swapped.adaptations == ["Reordered phases based on 20 successful executions"])
    }

    /// Seed rule when only the mean is known: mean × 1.2 — written with DurationFormatter now (the seed
    /// truncated to "216 seconds"; truncation turned a sub-second mean into "0 seconds").
    @Test func adjustDurationsFromSlowPhaseMean() throws {
        let adapted = engine.adapt(Self.plan, insights: Self.insights())
        let phase2 = try #require(adapted.phases.first { $0.name == "phase2" })
        #expect(phase2.estimatedDuration == "3 minutes 36 seconds")
        #expect(adapted.adaptations.contains("Adjusted duration estimates for 1 phases"))
    }

    /// A sub-second slow mean (only possible with `materialSeconds` lowered) still advises at least one second.
    @Test func adjustDurationsNeverSayZeroSeconds() throws {
        let adapted = engine.adapt(Self.plan, insights: Self.insights(slow: [SlowPhase(phaseName: "phase2", averageDuration: 0.3)]))
        let phase2 = try #require(adapted.phases.first { $0.name == "phase2" })
        #expect(phase2.estimatedDuration == "1 second")
        #expect(!adapted.changes.contains { $0.summary.contains(" 0 seconds") })
    }

    @Test func adjustDurationsFromP90() throws {
        let insights = Self.insights(slow: [], errors: [], order: [], successRate: 0.9,
                                     stats: [Self.stats("phase1", mean: 50, p90: 62), Self.stats("phase2", mean: 200, p90: 290.2)])
        let adapted = engine.adapt(Self.plan, insights: insights)
        #expect(adapted.phases.map(\.estimatedDuration) == ["1 minute", "4 minutes 51 seconds"])
        let change = try #require(adapted.changes.first { $0.kind == .duration })
        #expect(change.phaseName == "phase2" && change.reason.hasPrefix("p90 of 20 runs is 290.2 s"))
        #expect(change.confidence == 0.7)
        var p75 = engine
        p75.durationPercentile = .p75
        #expect(p75.adapt(Self.plan, insights: insights).phases[1].estimatedDuration == "4 minutes 6 seconds")
        #expect(p75.adapt(Self.plan, insights: insights).plan.totalEstimatedDuration == "5 minutes 6 seconds")
    }

    @Test func errorHandlingWithoutPhaseEvidenceGoesEverywhere() {
        let adapted = engine.adapt(Self.plan, insights: Self.insights())
        #expect(adapted.phases.allSatisfy { $0.requiredCapabilities.contains("error_handling") })
        #expect(adapted.phases.allSatisfy { !$0.requiredCapabilities.contains("retry_logic") })
    }

    @Test func errorHandlingOnlyWherePhasesFail() {
        let insights = Self.insights(slow: [], errors: [ErrorPattern(pattern: "boom", count: 3, phases: ["phase1"])], order: [],
                                     successRate: 0.9, stats: [Self.stats("phase1", mean: 60, p90: 60, success: 0.95),
                                                               Self.stats("phase2", mean: 120, p90: 120, success: 1)])
        let adapted = engine.adapt(Self.plan, insights: insights)
        #expect(adapted.phases.map { $0.requiredCapabilities.contains("error_handling") } == [true, false])
        let failing = Self.insights(slow: [], errors: [], order: [], successRate: 0.9,
                                    stats: [Self.stats("phase1", mean: 60, p90: 60, success: 1),
                                            Self.stats("phase2", mean: 120, p90: 120, success: 0.85)])
        #expect(engine.adapt(Self.plan, insights: failing).phases.map { $0.requiredCapabilities.contains("error_handling") } == [false, true])
    }

    /// Seed test_add_checkpoints failed (a count was compared with 0.7); low success now adds checkpoints.
    @Test func addCheckpointsWhenSuccessIsLow() {
        let fromText = Self.insights(confidence: 0.7, text: ["success rate: 60%"], slow: [], errors: [], order: [])
        let adapted = engine.adapt(Self.plan, insights: fromText)
        #expect(adapted.phases.allSatisfy { $0.successIndicators.count == 2 })
        #expect(adapted.phases[0].successIndicators == ["Phase 'phase1' completes without errors", "Output from 'phase1' is validated"])
        let high = Self.insights(slow: [], errors: [], order: [], successRate: 0.9,
                                 stats: [Self.stats("phase1", mean: 60, p90: 60, success: 0.5), Self.stats("phase2", mean: 120, p90: 120)])
        #expect(engine.adapt(Self.plan, insights: high).phases.map(\.successIndicators.isEmpty) == [false, true])
    }

    @Test func aggressiveMode() {
        let adapted = engine.adapt(Self.plan, insights: Self.insights(successRate: 0.95), aggressive: true)
        #expect(adapted.phases.allSatisfy { $0.requiredCapabilities.contains("retry_logic") && !$0.successIndicators.isEmpty })
        #expect(adapted.adaptations.count == 3 && adapted.expectedImprovement == 35)
    }

    /// Seed test_should_use_adapted_plan asserted `true` at risk 0.2, which its own threshold (0.82) refused.
    @Test func shouldUseAdaptedPlan() {
        let insights = Self.insights()
        #expect(engine.shouldUseAdaptedPlan(insights, riskTolerance: 0.2))
        #expect(engine.shouldUseAdaptedPlan(insights, riskTolerance: 0.8))
        #expect(!engine.shouldUseAdaptedPlan(insights, riskTolerance: 0))
        #expect(!engine.shouldUseAdaptedPlan(Self.insights(sample: 3, confidence: 0.3)))
        #expect(!engine.shouldUseAdaptedPlan(Self.insights(sample: 9, confidence: 0.9)))
    }

    @Test func totalDurationAndParallelGroups() {
        let phases = [Fixtures.phase("p1", "2 minutes"), Fixtures.phase("p2", "30 seconds")]
        #expect(AdaptationEngine.totalDuration(of: phases) == "2 minutes 30 seconds")
        #expect(AdaptationEngine.totalDuration(of: [Fixtures.phase("p", "1.5 minutes")]) == "1 minute 30 seconds")
        #expect(AdaptationEngine.parallelOpportunities(in: phases) == [["p1", "p2"]])
        #expect(AdaptationEngine.parallelOpportunities(in: [phases[0], Fixtures.phase("x", dependencies: ["p1"])]).isEmpty)
        #expect(AdaptationEngine.parallelOpportunities(in: [phases[0], Fixtures.phase("y", parallelSafe: false)]).isEmpty)
    }

    @Test func deterministicAndInputUntouched() {
        let original = Self.plan
        let a = engine.adapt(original, insights: Self.insights(), at: Fixtures.epoch)
        let b = engine.adapt(original, insights: Self.insights(), at: Fixtures.epoch)
        #expect(a == b && original == Self.plan && a.adaptedAt == Fixtures.epoch)
        let again = engine.adapt(a.plan, insights: Self.insights())
        #expect(!again.adaptations.contains { $0.hasPrefix("Added error handling") })
    }
}

@Suite("AdaptationEngine robustness")
struct AdaptationEngineRobustnessTests {
    @Test func mutatedInsightsNeverTrap() {
        var insights = AdaptationEngineTests.insights()
        insights.confidenceScore = 7
        let adapted = AdaptationEngine().adapt(AdaptationEngineTests.plan, insights: insights)
        #expect(adapted.confidence == 1 && !adapted.adaptations.isEmpty)
    }
}

import Testing
@testable import HindsightCore

/// Issue #10 §8: slowness must be material in absolute time as well as in share. A phase is slow when
/// (mean ≥ 1.25 × estimate and mean − estimate ≥ materialSeconds) or (share ≥ 40 %, mean ≥ materialSeconds
/// and, with an estimate, mean > estimate).
@Suite("Material slowness")
struct MaterialSlownessTests {
    let analyzer = PerformanceAnalyzer(minimumSampleSize: 3)

    static func traces(_ phases: [(String, Double)], estimates: [String: String]?) -> [ExecutionTrace] {
        let plan = estimates.map { estimates in Fixtures.plan(phases.map { Fixtures.phase($0.0, estimates[$0.0] ?? "1 minute") }) }
        return (0..<5).map { Fixtures.trace($0, plan: plan, phases: phases) }
    }

    /// Every text the core derives from insights: insights, recommendations, best practices, adapted plans.
    func adviceTexts(_ traces: [ExecutionTrace]) -> [String] {
        let insights = analyzer.analyze(traces, domain: "testing")
        let plan = traces.first?.plan ?? Fixtures.plan([Fixtures.phase("a")])
        let adapted = AdaptationEngine(minimumConfidence: 0).adapt(plan, insights: insights, aggressive: true)
        return insights.insights + insights.recommendations + PlanOptimizer.bestPractices(from: traces, insights: insights)
            + adapted.adaptations + adapted.changes.flatMap { [$0.summary, $0.reason] } + adapted.phases.map(\.estimatedDuration)
    }

    @Test("a phase of milliseconds against a minute's estimate is not slow, and no advice says 0 seconds")
    func millisecondsAgainstAMinute() throws {
        let traces = Self.traces([("quick", 0.004)], estimates: ["quick": "1 minute"])
        let insights = analyzer.analyze(traces, domain: "testing")
        let stats = try #require(insights.statistics(forPhase: "quick"))
        #expect(stats.shareOfTotal == 1 && !stats.isSlow && insights.slowPhases.isEmpty)
        #expect(!adviceTexts(traces).contains { $0.contains(" 0 seconds") || $0.hasPrefix("0 seconds") })
        // Without a plan the share rule alone would still need the material minimum.
        let planless = Self.traces([("quick", 0.004)], estimates: nil)
        #expect(analyzer.analyze(planless, domain: "testing").slowPhases.isEmpty)
    }

    @Test("a dominant phase that averages under its estimate is not slow")
    func dominantUnderEstimate() throws {
        let traces = Self.traces([("big", 50), ("small", 5)], estimates: ["big": "1 minute", "small": "10 seconds"])
        let stats = try #require(analyzer.analyze(traces, domain: "testing").statistics(forPhase: "big"))
        #expect(stats.shareOfTotal > 0.9 && stats.meanEstimate == 60 && !stats.isSlow)
    }

    @Test("a material overrun is slow; an overrun of a second is not (unless the minimum is lowered)")
    func materialOverrun() throws {
        let overrun = Self.traces([("load", 80), ("other", 200)], estimates: ["load": "1 minute", "other": "5 minutes"])
        let insights = analyzer.analyze(overrun, domain: "testing")
        #expect(insights.slowPhases.map(\.phaseName) == ["load"])

        let small = Self.traces([("blip", 2), ("other", 200)], estimates: ["blip": "1 second", "other": "5 minutes"])
        #expect(analyzer.analyze(small, domain: "testing").slowPhases.isEmpty)
        let strict = PerformanceAnalyzer(minimumSampleSize: 3, materialSeconds: 0.5)
        #expect(strict.analyze(small, domain: "testing").slowPhases.map(\.phaseName) == ["blip"])
    }

    @Test("a dominant phase over its estimate (below 1.25×) is slow by share")
    func dominantOverEstimate() {
        let traces = Self.traces([("main", 70), ("side", 10)], estimates: ["main": "1 minute", "side": "10 seconds"])
        #expect(analyzer.analyze(traces, domain: "testing").slowPhases.map(\.phaseName) == ["main"])
    }

    @Test("the rule, case by case (default minimum 5 s)")
    func rule() {
        let a = PerformanceAnalyzer()
        #expect(a.materialSeconds == 5)
        #expect(a.isSlow(mean: 80, estimate: 60, share: 0.1))        // 1.33× and +20 s
        #expect(!a.isSlow(mean: 8, estimate: 4, share: 0.1))         // 2× but +4 s
        #expect(a.isSlow(mean: 9, estimate: 4, share: 0.1))          // 2.25× and +5 s
        #expect(!a.isSlow(mean: 0.004, estimate: 60, share: 1))      // milliseconds vs a minute
        #expect(!a.isSlow(mean: 50, estimate: 60, share: 0.9))       // dominant, under its estimate
        #expect(!a.isSlow(mean: 60, estimate: 60, share: 0.9))       // dominant, on its estimate
        #expect(a.isSlow(mean: 61, estimate: 60, share: 0.4))        // dominant, over its estimate
        #expect(!a.isSlow(mean: 61, estimate: 60, share: 0.39))      // neither
        #expect(a.isSlow(mean: 5, estimate: nil, share: 0.5))        // dominant, no estimate, material
        #expect(!a.isSlow(mean: 4.9, estimate: nil, share: 0.5))     // dominant, no estimate, not material
        #expect(!a.isSlow(mean: 0, estimate: 0, share: 1))
    }

    @Test("time advice is formatted and at least one second")
    func bestPracticeFormatting() throws {
        let slow = try PerformanceInsights(
            goalDomain: "testing", sampleSize: 5, insights: [], recommendations: [], confidenceScore: 0.5,
            slowPhases: [SlowPhase(phaseName: "p", averageDuration: 0.2)], commonErrors: [], optimalPhaseOrder: [])
        #expect(PlanOptimizer.bestPractices(from: [], insights: slow) == ["Allocate at least 1 second for 'p'"])
    }
}

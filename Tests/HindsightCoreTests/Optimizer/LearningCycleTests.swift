import Testing
@testable import HindsightCore

/// The seed's integration tests (test_phase4_integration) on the pure core: track → metrics → analyze →
/// optimize → adapt → heal. Storage-only checks (query speed, cleanup) live in the storage layer's tests.
@Suite("Learning cycle (seed integration tests)")
struct LearningCycleTests {
    static let goal = Fixtures.goal("Analyze logs for security threats", domain: "security")
    static let plan = Fixtures.plan([
        Fixtures.phase("collect_logs", "1 minute"), Fixtures.phase("parse_logs", "2 minutes"), Fixtures.phase("analyze_threats", "3 minutes"),
    ], total: "6 minutes")

    static func run(_ i: Int, parse: Double = 100, failAnalyze: Bool = false, parseError: Bool = false) -> ExecutionTrace {
        Fixtures.trace(i, domain: "security", goal: goal, plan: plan,
                       phases: [("collect_logs", 50), ("parse_logs", parse), ("analyze_threats", 150)],
                       failed: failAnalyze ? ["analyze_threats"] : parseError ? ["parse_logs"] : [],
                       status: failAnalyze || parseError ? .failed : .completed,
                       errors: parseError ? [("Invalid log format at line \(i * 7)", "parse_logs")] : [],
                       start: Fixtures.epoch.adding(seconds: Double(i) * 1000), tools: ["bash", "python"])
    }

    @Test func fullTrackingCycle() throws {
        var trace = try ExecutionTrace(executionID: Fixtures.id(1), agentBundleID: Fixtures.id(2), goal: Self.goal, plan: Self.plan,
                                       startTime: Fixtures.epoch)
        for (i, name) in ["collect_logs", "parse_logs", "analyze_threats"].enumerated() {
            trace.record(.phaseStart(name, at: Fixtures.epoch.adding(seconds: Double(i) * 10)))
            trace.record(.toolCall(["bash", "python", "security_scanner"][i], at: Fixtures.epoch.adding(seconds: Double(i) * 10 + 1)))
            trace.record(.phaseEnd(name, at: Fixtures.epoch.adding(seconds: Double(i) * 10 + 9)))
        }
        try trace.complete(at: Fixtures.epoch.adding(seconds: 30), result: "Analysis complete - 3 threats found")
        let metrics = MetricsCollector.collect(trace)
        #expect(metrics.phaseMetrics.count == 3 && metrics.successRate == 1 && metrics.toolUsage.count == 3)
    }

    @Test func metricsCollectionAndAnalysis() {
        let traces = (0..<5).map { Self.run($0, parse: 100 + Double($0) * 20, parseError: $0 == 4) }
        let insights = PerformanceAnalyzer(minimumSampleSize: 3).analyze(traces, domain: "security")
        #expect(insights.sampleSize == 5 && !insights.insights.isEmpty && !insights.recommendations.isEmpty && insights.confidenceScore > 0)
        #expect(insights.commonErrors.first?.pattern == "Invalid log format at line <n>")
    }

    @Test func planOptimizationCycle() {
        let history = (0..<15).map { Self.run($0) }
        let result = PlanOptimizer().optimize(Self.plan, for: Self.goal, history: history)
        #expect(result.optimized && result.similarCount == 15)
    }

    /// Parse takes 3× its estimate: the adapted plan stretches it to the observed p90.
    @Test func adaptationBasedOnInsights() {
        let traces = (0..<10).map { Self.run($0, parse: 360 + Double($0)) }
        let insights = PerformanceAnalyzer(minimumSampleSize: 3).analyze(traces, domain: "security")
        let adapted = AdaptationEngine(minimumConfidence: 0.5).adapt(Self.plan, insights: insights)
        #expect(!adapted.adaptations.isEmpty && adapted.expectedImprovement > 0)
        #expect(adapted.phases[1].estimatedDuration == "6 minutes 9 seconds") // p90 of 360…369 = 368.1 → 369 s
    }

    @Test func selfHealingIntegration() throws {
        var trace = Self.run(1)
        let failure = FailureClassifier.classify(message: "Timeout parsing logs")
        let policy = RecoveryPolicy()
        let strategy = policy.strategy(for: failure, phase: Self.plan.phases[1], retryCount: 0)
        #expect([.retry, .skip, .simplify, .escalate].contains(strategy.kind))
        trace.record(.recoveryAttempt(strategy, at: Fixtures.epoch))
        trace.status = .recovered
        #expect(RecoveryPolicy.report(for: trace).recoveryCount > 0 && trace.status == .recovered)
    }

    @Test func endToEndLearningCycle() {
        let history = (0..<12).map { Self.run($0, failAnalyze: $0 >= 10) }
        let insights = PerformanceAnalyzer(minimumSampleSize: 3).analyze(history, domain: "security")
        #expect(insights.sampleSize == 12 && insights.hasSufficientData)
        let recs = PlanOptimizer().recommendations(for: Fixtures.goal("Security analysis", domain: "security"), history: history)
        #expect(recs?.bestPractices.isEmpty == false)
        let adapted = AdaptationEngine().adapt(Self.plan, insights: insights)
        #expect(adapted.adaptationCount > 0)
        let stats = DomainStatistics(domain: "security", traces: history)
        #expect(stats.totalExecutions == 12 && stats.successRate > 0.7)
    }

    @Test func emptyHistoryEverywhere() {
        let insights = PerformanceAnalyzer().analyze([], domain: "security")
        let adapted = AdaptationEngine().adapt(Self.plan, insights: insights)
        #expect(adapted.plan == Self.plan && adapted.confidence == 0)
        #expect(PlanOptimizer().optimize(Self.plan, for: Self.goal, history: []).optimized == false)
        #expect(!AdaptationEngine().shouldUseAdaptedPlan(insights))
    }
}

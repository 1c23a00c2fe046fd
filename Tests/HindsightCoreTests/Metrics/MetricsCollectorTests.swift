import Testing
@testable import HindsightCore

@Suite("MetricsCollector (seed test_metrics_collector)")
struct MetricsCollectorTests {
    /// The seed fixture: phase1 150 s (estimate 2 minutes), phase2 60 s (1 minute), a tool call, an error.
    static func sample() -> ExecutionTrace {
        let plan = Fixtures.plan([Fixtures.phase("phase1", "2 minutes"), Fixtures.phase("phase2", "1 minute")])
        var trace = Fixtures.trace(1, goal: Fixtures.goal(), plan: plan, phases: [("phase1", 150), ("phase2", 60)],
                                   errors: [("Test error", nil)], tools: ["bash"])
        trace.events[4].timestamp = Fixtures.epoch.adding(seconds: 100)
        return trace
    }

    @Test func collectMetrics() {
        let trace = Self.sample()
        let metrics = MetricsCollector.collect(trace)
        #expect(metrics.executionID == trace.executionID && metrics.totalDurationSeconds == 210)
        #expect(metrics.phaseMetrics.count == 2 && metrics.errorCount == 1 && metrics.successRate == 1)
    }

    @Test func phaseMetricsCalculation() throws {
        let phase1 = try #require(MetricsCollector.collect(Self.sample())[phase: "phase1"])
        #expect(phase1.actualDuration == 150 && phase1.estimatedDuration == 120 && phase1.success)
        #expect(phase1.accuracyRatio == 150.0 / 120.0)
    }

    @Test func toolUsageApiCallsAndTokens() {
        var trace = Self.sample()
        for tool in ["claude", "llm", "claude", ""] { trace.record(.toolCall(tool, at: Fixtures.epoch)) }
        let metrics = MetricsCollector.collect(trace)
        #expect(metrics.toolUsage == ["bash": 1, "claude": 2, "llm": 1])
        #expect(metrics.apiCalls == 3 && metrics.tokensUsed == 3000)
    }

    @Test func successRateFallsBackToStatus() {
        let completed = Fixtures.trace(1, phases: [], status: .completed)
        let recovered = Fixtures.trace(2, phases: [], status: .recovered)
        let running = Fixtures.trace(3, phases: [], status: .running)
        #expect(MetricsCollector.collect(completed).successRate == 1)
        #expect(MetricsCollector.collect(recovered).successRate == 0)
        #expect(MetricsCollector.collect(running).totalDurationSeconds == 0)
    }

    /// Retries, out-of-order events and a reversed phase never crash; plan-less traces still get phases.
    @Test func robustPhaseMeasurement() {
        let t = Fixtures.epoch
        var trace = Fixtures.trace(1, phases: [])
        trace.events = [
            .phaseEnd("a", at: t.adding(seconds: 30), success: true),   // arrives first
            .phaseStart("a", at: t.adding(seconds: 10)),
            .phaseStart("a", at: t),                                    // earlier start, a retry
            .phaseEnd("a", at: t.adding(seconds: 5), success: false, error: "x"),
            .retry("a", at: t.adding(seconds: 6)),
            .phaseStart("b", at: t.adding(seconds: 50)),
            .phaseEnd("b", at: t.adding(seconds: 40)),                  // end before start: dropped
        ]
        let metrics = MetricsCollector.collect(trace)
        #expect(metrics.phaseMetrics.map(\.phaseName) == ["a"])
        let a = metrics.phaseMetrics[0]
        #expect(a.actualDuration == 30 && a.success && a.retryCount == 1 && a.estimatedDuration == 0 && a.accuracyRatio == 1)
    }

    @Test func aggregateMetrics() throws {
        let m1 = try ExecutionMetrics(executionID: Fixtures.id(1), totalDurationSeconds: 100, phaseMetrics: [], successRate: 1, errorCount: 0, toolUsage: ["bash": 5])
        let m2 = try ExecutionMetrics(executionID: Fixtures.id(2), totalDurationSeconds: 200, phaseMetrics: [], successRate: 0.5, errorCount: 2, toolUsage: ["bash": 3, "python": 2])
        let agg = MetricsCollector.aggregate([m1, m2])
        #expect(agg.count == 2 && agg.averageDuration == 150 && agg.averageSuccessRate == 0.75 && agg.totalErrors == 2)
        #expect(agg.toolUsage == ["bash": 8, "python": 2] && agg.durationPercentiles["p50"] == 150)
        let empty = MetricsCollector.aggregate([])
        #expect(empty.count == 0 && empty.toolUsage.isEmpty && empty.durationPercentiles.isEmpty && empty.averageDuration == 0)
    }

    /// Seed test_compare_metrics failed on 0.9 − 0.8 ≠ 0.1; the change is rounded to 12 decimals.
    @Test func compareMetrics() throws {
        let baseline = try ExecutionMetrics(executionID: Fixtures.id(1), totalDurationSeconds: 100, phaseMetrics: [], successRate: 0.8, errorCount: 2)
        let current = try ExecutionMetrics(executionID: Fixtures.id(2), totalDurationSeconds: 80, phaseMetrics: [], successRate: 0.9, errorCount: 1)
        let c = MetricsCollector.compare(baseline: baseline, current: current)
        #expect(c.durationChangeSeconds == -20 && c.durationChangePercent == -20)
        #expect(c.successRateChange == 0.1 && c.errorCountChange == -1 && c.improved)
        let same = MetricsCollector.compare(baseline: baseline, current: baseline)
        #expect(!same.improved && same.successRateChange == 0)
    }
}

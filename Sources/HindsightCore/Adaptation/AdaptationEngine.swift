/// Adapts a plan to what a domain's history teaches, explaining every change.
///
/// Steps, each applied only when it changes something (expected-improvement points as in the seed):
/// 1. **Reorder** (+5) towards the learned order with ``PhaseReorderer`` (dependencies always kept).
/// 2. **Durations** (+10) from the observed distribution: a phase with at least
///    ``minimumPhaseSamples`` measurements gets the ``durationPercentile`` (p90 by default) of its
///    durations when its estimate is off by more than ``estimateTolerance``. p90 because an estimate is
///    used to schedule and to set time-outs: it should cover nine runs in ten, while the mean (the seed's
///    basis) under-covers about half of them and the maximum chases outliers. With too few measurements
///    the seed's rule applies to slow phases: mean + 20 %.
/// 3. **Error handling** (+15) where phases actually fail: failure rate ≥ ``failureRateThreshold`` or
///    named by a common error pattern (all phases when the insights carry no per-phase evidence, or in
///    aggressive mode, which also adds `retry_logic`).
/// 4. **Checkpoints** (+10) where success is low: every phase when the overall success rate is below
///    ``lowSuccessThreshold`` (or in aggressive mode), otherwise the phases whose own rate is below it.
/// Below ``minimumConfidence`` nothing changes. The improvement is capped at 50 %.
public struct AdaptationEngine: Sendable {
    /// Confidence below which plans are left alone. Defaults to `0.5`.
    public var minimumConfidence: Double
    /// Which percentile of observed durations becomes the estimate. Defaults to `.p90`.
    public var durationPercentile: DurationPercentile = .p90
    /// Measurements a phase needs before its percentile is trusted. Defaults to `5`.
    public var minimumPhaseSamples: Int = 5
    /// Relative difference between estimate and percentile that triggers a change. Defaults to `0.2`.
    public var estimateTolerance: Double = 0.2
    /// Success rate below which checkpoints are added. Defaults to `0.7`.
    public var lowSuccessThreshold: Double = 0.7
    /// Failure rate from which a phase gets error handling. Defaults to `0.1`.
    public var failureRateThreshold: Double = 0.1

    /// Which observed percentile becomes a phase's estimate.
    public enum DurationPercentile: String, Hashable, Codable, Sendable {
        /// 75th percentile: tighter schedules, one run in four overruns.
        case p75
        /// 90th percentile: one run in ten overruns.
        case p90
        /// 95th percentile: one run in twenty overruns.
        case p95

        func value(in statistics: PhaseStatistics) -> Double {
            switch self {
            case .p75: statistics.p75
            case .p90: statistics.p90
            case .p95: statistics.p95
            }
        }

        var coverage: String {
            switch self {
            case .p75: "three runs in four"
            case .p90: "nine runs in ten"
            case .p95: "nineteen runs in twenty"
            }
        }
    }

    /// Creates an engine.
    public init(minimumConfidence: Double = 0.5) {
        self.minimumConfidence = minimumConfidence
    }

    /// Adapts `plan` to `insights`. Never mutates `plan`; deterministic for equal inputs.
    ///
    /// - Parameters:
    ///   - aggressive: adds error handling and checkpoints everywhere, and `retry_logic`.
    ///   - time: recorded as ``AdaptedExecutionPlan/adaptedAt``.
    public func adapt(
        _ plan: ExecutionPlan, insights: PerformanceInsights, aggressive: Bool = false, at time: Timestamp? = nil
    ) -> AdaptedExecutionPlan {
        guard insights.confidenceScore >= minimumConfidence else {
            return unchanged(plan, reason: "Insufficient confidence", at: time)
        }
        var work = PlanAdaptation(phases: plan.phases, insights: insights, engine: self)
        work.reorder()
        work.adjustDurations()
        work.addErrorHandling(aggressive: aggressive)
        work.addCheckpoints(aggressive: aggressive)
        guard !work.adaptations.isEmpty else {
            return unchanged(plan, reason: "No beneficial adaptations found", at: time)
        }
        var adapted = plan
        adapted.phases = work.phases
        adapted.totalEstimatedDuration = Self.totalDuration(of: work.phases)
        adapted.parallelOpportunities = Self.parallelOpportunities(in: work.phases)
        return try! AdaptedExecutionPlan(
            plan: adapted, originalGoalID: plan.goalID, adaptations: work.adaptations, changes: work.changes,
            expectedImprovement: Swift.min(work.improvement, 50),
            // insights are validated at construction, but their fields are mutable: clamp, never trap
            confidence: Swift.min(1, Swift.max(0, insights.confidenceScore)), adaptedAt: time)
    }

    private func unchanged(_ plan: ExecutionPlan, reason: String, at time: Timestamp?) -> AdaptedExecutionPlan {
        try! AdaptedExecutionPlan(
            plan: plan, originalGoalID: plan.goalID, adaptations: ["No adaptations applied: \(reason)"],
            expectedImprovement: 0, confidence: 0, adaptedAt: time)
    }

    /// Whether to run the adapted plan rather than the original, given how much risk is acceptable.
    ///
    /// `false` below ``minimumConfidence`` or with fewer than 10 executions; otherwise the confidence must
    /// reach `max(minimumConfidence, 0.9 − 0.5 × riskTolerance)` (0.9 at no risk, 0.8 at 0.2, 0.65 at 0.5,
    /// 0.5 at 0.8). For a measured answer, run an ``ABTest``.
    public func shouldUseAdaptedPlan(_ insights: PerformanceInsights, riskTolerance: Double = 0.5) -> Bool {
        guard insights.confidenceScore >= minimumConfidence, insights.hasSufficientData else { return false }
        let required = Swift.max(minimumConfidence, 0.9 - 0.5 * Swift.min(1, Swift.max(0, riskTolerance)))
        return insights.confidenceScore + 1e-9 >= required
    }

    /// Starts an A/B test of `original` (A) against `adapted` (B).
    public func makeABTest(
        name: String, original: ExecutionPlan, adapted: AdaptedExecutionPlan, candidateShare: Double = 0.5
    ) -> ABTest {
        ABTest(name: name, control: original, candidate: adapted, candidateShare: candidateShare)
    }

    /// The sum of the phases' estimates (``DurationParser``; 60 s for text without a number), as text
    /// such as `"2 minutes 30 seconds"`.
    public static func totalDuration(of phases: [PlanPhase]) -> String {
        DurationFormatter.text(seconds: phases.reduce(0) { $0 + ($1.estimatedSeconds ?? MetricsCollector.defaultEstimateSeconds) })
    }

    /// One group of the phases without dependencies that are parallel-safe, when there are at least two.
    public static func parallelOpportunities(in phases: [PlanPhase]) -> [[String]] {
        let independent = phases.filter { $0.dependencies.isEmpty && $0.parallelSafe }.map(\.name)
        return independent.count > 1 ? [independent] : []
    }
}

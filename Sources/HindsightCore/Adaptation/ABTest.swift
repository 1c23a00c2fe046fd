public import Foundation

/// A real A/B test between a plan (variant A, the control) and its adaptation (variant B).
///
/// Executions are assigned deterministically: the 64-bit FNV-1a hash (``StableHash``) of the test name,
/// a zero byte and the execution id's 16 bytes, modulo 10 000, is compared with ``candidateShare`` × 10 000.
/// The same execution id always gets the same variant, on every machine and run.
public struct ABTest: Hashable, Codable, Sendable {
    /// A variant of the test.
    public enum Variant: String, Hashable, Codable, Sendable, CaseIterable {
        /// The control: the original plan.
        case a = "A"
        /// The candidate: the adapted plan.
        case b = "B"
    }

    /// The test's name; it salts the hash so different tests split executions independently.
    public var name: String
    /// The original plan (variant A).
    public var control: ExecutionPlan
    /// The adapted plan (variant B).
    public var candidate: AdaptedExecutionPlan
    /// Share of executions sent to B, `0...1`.
    public var candidateShare: Double
    /// Outcomes recorded so far.
    public var outcomes: ABTestOutcomes

    /// Creates a test with no outcomes; `candidateShare` is clamped to `0...1`.
    public init(name: String, control: ExecutionPlan, candidate: AdaptedExecutionPlan, candidateShare: Double = 0.5) {
        self.name = name
        self.control = control
        self.candidate = candidate
        self.candidateShare = Swift.min(1, Swift.max(0, candidateShare))
        self.outcomes = ABTestOutcomes()
    }

    /// The variant for an execution.
    public func variant(for executionID: UUID) -> Variant {
        let bucket = StableHash.fnv1a(name, executionID) % 10_000
        return Double(bucket) < candidateShare * 10_000 ? .b : .a
    }

    /// The plan an execution should run.
    public func plan(for executionID: UUID) -> ExecutionPlan {
        variant(for: executionID) == .b ? candidate.plan : control
    }

    /// Records the outcome of an execution under the variant it was assigned.
    public mutating func recordOutcome(executionID: UUID, success: Bool, durationSeconds: Double?) {
        outcomes.record(variant(for: executionID), success: success, durationSeconds: durationSeconds)
    }

    /// The decision so far under `rule`.
    public func decision(rule: ABDecisionRule = ABDecisionRule()) -> ABTestDecision {
        outcomes.decide(rule: rule)
    }
}

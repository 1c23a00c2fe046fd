/// The verdict of an A/B test, with the statistics behind it.
public struct ABTestDecision: Hashable, Codable, Sendable {
    /// What to do.
    public enum Verdict: String, Hashable, Codable, Sendable {
        /// Not enough executions yet.
        case collectMoreData
        /// Adopt variant B, the adapted plan.
        case adoptCandidate
        /// Keep variant A, the original plan.
        case keepControl
    }

    /// What to do.
    public var verdict: Verdict
    /// Why, with the figures.
    public var reason: String
    /// Two-proportion z-test on success rates, when run.
    public var successTest: SignificanceTests.Result?
    /// Welch t-test on durations, when run.
    public var durationTest: SignificanceTests.Result?
}

/// When an A/B test may decide, and how.
public struct ABDecisionRule: Hashable, Codable, Sendable {
    /// Significance level of both tests. Defaults to `0.05`.
    public var alpha: Double
    /// Executions each variant needs before any decision. Defaults to `30`.
    public var minimumSamplesPerVariant: Int

    /// Creates a rule.
    public init(alpha: Double = 0.05, minimumSamplesPerVariant: Int = 30) {
        self.alpha = alpha
        self.minimumSamplesPerVariant = minimumSamplesPerVariant
    }
}

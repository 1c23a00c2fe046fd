/// Whether a domain got better between two sets of executions (the seed's `compare_before_after`).
public struct BeforeAfterComparison: Hashable, Codable, Sendable {
    /// The domain compared.
    public var domain: String
    /// Executions before.
    public var beforeSampleSize: Int
    /// Executions after.
    public var afterSampleSize: Int
    /// `(before − after) / before × 100` of the mean durations (`0` when before is `0`).
    public var durationImprovementPercent: Double
    /// Change of the mean per-execution success rate in percentage points.
    public var successRateImprovementPoints: Double
    /// Mean duration before.
    public var beforeAverageDuration: Double
    /// Mean duration after.
    public var afterAverageDuration: Double
    /// Faster or more successful.
    public var improved: Bool
    /// The lower of the two sides' confidences.
    public var confidence: Double
}

/// Running outcome totals of one A/B variant: success counts and Welford duration moments.
public struct VariantOutcomes: Hashable, Codable, Sendable {
    /// Executions recorded.
    public private(set) var count = 0
    /// Executions that succeeded.
    public private(set) var successes = 0
    /// Executions with a known duration.
    public private(set) var durationCount = 0
    /// Mean duration in seconds.
    public private(set) var durationMean = 0.0
    // Sum of squared deviations from the mean (Welford), for the sample variance.
    private var durationM2 = 0.0

    /// Creates empty totals.
    public init() {}

    /// Adds one execution.
    public mutating func record(success: Bool, durationSeconds: Double?) {
        count += 1
        if success { successes += 1 }
        guard let d = durationSeconds, d.isFinite else { return }
        durationCount += 1
        let delta = d - durationMean
        durationMean += delta / Double(durationCount)
        durationM2 += delta * (d - durationMean)
    }

    /// `successes / count`, or `0` when empty.
    public var successRate: Double { count > 0 ? Double(successes) / Double(count) : 0 }

    /// Sample variance of the durations (`n − 1` denominator), `0` below two values.
    public var durationVariance: Double { durationCount > 1 ? durationM2 / Double(durationCount - 1) : 0 }
}

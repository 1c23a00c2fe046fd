/// How one execution's metrics changed against a baseline (the seed's `compare_metrics`).
public struct MetricsComparison: Hashable, Codable, Sendable {
    /// Differences smaller than this are treated as zero (floating-point noise).
    public static let tolerance = 1e-9

    /// `current − baseline` total duration, seconds.
    public var durationChangeSeconds: Double
    /// Duration change in percent of the baseline (`0` when the baseline is `0`).
    public var durationChangePercent: Double
    /// `current − baseline` success rate, rounded to 12 decimals so `0.9 − 0.8` reads `0.1`.
    public var successRateChange: Double
    /// `current − baseline` error count.
    public var errorCountChange: Int
    /// Faster and not less successful.
    public var improved: Bool

    /// Compares `current` with `baseline`.
    public init(baseline: ExecutionMetrics, current: ExecutionMetrics) {
        durationChangeSeconds = current.totalDurationSeconds - baseline.totalDurationSeconds
        durationChangePercent = baseline.totalDurationSeconds > 0
            ? durationChangeSeconds / baseline.totalDurationSeconds * 100 : 0
        successRateChange = ((current.successRate - baseline.successRate) * 1e12).rounded() / 1e12
        errorCountChange = current.errorCount - baseline.errorCount
        improved = durationChangeSeconds < -Self.tolerance && successRateChange >= -Self.tolerance
    }
}

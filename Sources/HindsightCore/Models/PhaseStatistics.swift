/// The observed distribution of one phase over many executions.
///
/// Percentiles use ``Percentile/continuous(_:sorted:)`` (PostgreSQL `percentile_cont`), so these values
/// equal what the SQL side computes.
public struct PhaseStatistics: Hashable, Codable, Sendable {
    /// The phase.
    public var phaseName: String
    /// Executions in which the phase was measured.
    public var sampleCount: Int
    /// Mean duration in seconds.
    public var meanDuration: Double
    /// Median duration.
    public var p50: Double
    /// 75th percentile.
    public var p75: Double
    /// 90th percentile.
    public var p90: Double
    /// 95th percentile.
    public var p95: Double
    /// 99th percentile.
    public var p99: Double
    /// Mean estimate in seconds, when the plans gave one.
    public var meanEstimate: Double?
    /// Share of measurements whose final attempt succeeded.
    public var successRate: Double
    /// Total retries.
    public var retryCount: Int
    /// Share of the summed mean phase durations.
    public var shareOfTotal: Double
    /// Whether the analyzer judged the phase slow.
    public var isSlow: Bool

    /// Creates phase statistics.
    public init(
        phaseName: String, sampleCount: Int, meanDuration: Double,
        p50: Double, p75: Double, p90: Double, p95: Double, p99: Double,
        meanEstimate: Double?, successRate: Double, retryCount: Int, shareOfTotal: Double, isSlow: Bool
    ) {
        self.phaseName = phaseName
        self.sampleCount = sampleCount
        self.meanDuration = meanDuration
        self.p50 = p50
        self.p75 = p75
        self.p90 = p90
        self.p95 = p95
        self.p99 = p99
        self.meanEstimate = meanEstimate
        self.successRate = successRate
        self.retryCount = retryCount
        self.shareOfTotal = shareOfTotal
        self.isSlow = isSlow
    }
}

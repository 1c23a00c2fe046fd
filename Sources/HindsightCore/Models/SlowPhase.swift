/// A phase the analyzer judged slow, with the evidence.
public struct SlowPhase: Hashable, Codable, Sendable {
    /// The phase.
    public var phaseName: String
    /// Mean measured duration in seconds (the seed's tuple value).
    public var averageDuration: Double
    /// Mean estimate in seconds, when the plans gave one.
    public var averageEstimate: Double?
    /// The phase's share of the summed mean phase durations, `0...1`.
    public var shareOfTotal: Double

    /// Creates a slow-phase record.
    public init(phaseName: String, averageDuration: Double, averageEstimate: Double? = nil, shareOfTotal: Double = 0) {
        self.phaseName = phaseName
        self.averageDuration = averageDuration
        self.averageEstimate = averageEstimate
        self.shareOfTotal = shareOfTotal
    }
}

/// How one phase of one execution went compared with its estimate.
public struct PhaseMetrics: Hashable, Codable, Sendable {
    /// The phase.
    public var phaseName: String
    /// The plan's estimate in seconds; `0` when the plan gave none (then ``accuracyRatio`` is `1`).
    public var estimatedDuration: Double
    /// The measured duration in seconds.
    public var actualDuration: Double
    /// `actualDuration / estimatedDuration`, or `1` when the estimate is `0`.
    public var accuracyRatio: Double
    /// Whether the phase's final attempt succeeded.
    public var success: Bool
    /// The error message of a failed phase.
    public var errorMessage: String?
    /// How often the phase was retried.
    public var retryCount: Int

    /// Creates validated phase metrics.
    ///
    /// - Throws: ``ModelError/emptyMetricsPhaseName``, ``ModelError/negativeDuration`` or
    ///   ``ModelError/negativeRetryCount``.
    public init(
        phaseName: String,
        estimatedDuration: Double,
        actualDuration: Double,
        accuracyRatio: Double,
        success: Bool,
        errorMessage: String? = nil,
        retryCount: Int = 0
    ) throws(ModelError) {
        guard !phaseName.isEmpty else { throw .emptyMetricsPhaseName }
        guard actualDuration >= 0 else { throw .negativeDuration }
        guard retryCount >= 0 else { throw .negativeRetryCount }
        self.phaseName = phaseName
        self.estimatedDuration = estimatedDuration
        self.actualDuration = actualDuration
        self.accuracyRatio = accuracyRatio
        self.success = success
        self.errorMessage = errorMessage
        self.retryCount = retryCount
    }

    /// `actualDuration − estimatedDuration`, in seconds.
    public var durationDelta: Double { actualDuration - estimatedDuration }

    private enum CodingKeys: String, CodingKey {
        case phaseName, estimatedDuration, actualDuration, accuracyRatio, success, errorMessage, retryCount
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(
            phaseName: c.decode(String.self, forKey: .phaseName),
            estimatedDuration: c.decode(Double.self, forKey: .estimatedDuration),
            actualDuration: c.decode(Double.self, forKey: .actualDuration),
            accuracyRatio: c.decode(Double.self, forKey: .accuracyRatio),
            success: c.decode(Bool.self, forKey: .success),
            errorMessage: c.decodeIfPresent(String.self, forKey: .errorMessage),
            retryCount: c.decodeIfPresent(Int.self, forKey: .retryCount) ?? 0
        )
    }
}

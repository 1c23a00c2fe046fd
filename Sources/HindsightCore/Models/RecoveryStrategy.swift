/// A recovery decision for one failed phase, from ``RecoveryPolicy``.
public struct RecoveryStrategy: Hashable, Codable, Sendable {
    /// What to do.
    public var kind: RecoveryAction
    /// The phase that failed.
    public var phaseName: String
    /// Why this strategy was chosen.
    public var reason: String
    /// Steps to carry out, in order.
    public var actions: [String]
    /// Expected probability that the strategy works, `0...1`.
    public var confidence: Double
    /// Expected cost in seconds (including any back-off delay).
    public var estimatedCost: Double
    /// The classified failure, when known.
    public var failureType: FailureType?
    /// For ``RecoveryAction/retry``: seconds to wait before retrying.
    public var delaySeconds: Double?

    /// Creates a validated strategy.
    ///
    /// - Throws: ``ModelError/confidenceOutOfRange(_:)`` or ``ModelError/negativeCost``.
    public init(
        kind: RecoveryAction,
        phaseName: String,
        reason: String,
        actions: [String],
        confidence: Double,
        estimatedCost: Double,
        failureType: FailureType? = nil,
        delaySeconds: Double? = nil
    ) throws(ModelError) {
        try ModelError.checkUnit(confidence, ModelError.confidenceOutOfRange)
        guard estimatedCost >= 0 else { throw .negativeCost }
        self.kind = kind
        self.phaseName = phaseName
        self.reason = reason
        self.actions = actions
        self.confidence = confidence
        self.estimatedCost = estimatedCost
        self.failureType = failureType
        self.delaySeconds = delaySeconds
    }

    private enum CodingKeys: String, CodingKey {
        case kind, phaseName, reason, actions, confidence, estimatedCost, failureType, delaySeconds
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(
            kind: c.decode(RecoveryAction.self, forKey: .kind),
            phaseName: c.decode(String.self, forKey: .phaseName),
            reason: c.decode(String.self, forKey: .reason),
            actions: c.decodeIfPresent([String].self, forKey: .actions) ?? [],
            confidence: c.decode(Double.self, forKey: .confidence),
            estimatedCost: c.decode(Double.self, forKey: .estimatedCost),
            failureType: c.decodeIfPresent(FailureType.self, forKey: .failureType),
            delaySeconds: c.decodeIfPresent(Double.self, forKey: .delaySeconds)
        )
    }
}

/// One change the adaptation engine made to a plan, with its reason and confidence.
public struct PlanChange: Hashable, Codable, Sendable {
    /// What kind of change.
    public enum Kind: String, Hashable, Codable, Sendable {
        /// Phases were reordered.
        case reorder
        /// A duration estimate changed.
        case duration
        /// Error handling was added to a phase.
        case errorHandling
        /// Validation checkpoints were added to a phase.
        case checkpoint
    }

    /// The kind of change.
    public var kind: Kind
    /// The phase changed, or `nil` for plan-wide changes such as a reorder.
    public var phaseName: String?
    /// What changed, e.g. `"'parse' estimate 120 seconds → 300 seconds"`.
    public var summary: String
    /// Why, with the evidence (sample sizes, percentiles, rates).
    public var reason: String
    /// Trust in this change, `0...1`.
    public var confidence: Double

    /// Creates a change record.
    public init(kind: Kind, phaseName: String?, summary: String, reason: String, confidence: Double) {
        self.kind = kind
        self.phaseName = phaseName
        self.summary = summary
        self.reason = reason
        self.confidence = confidence
    }
}

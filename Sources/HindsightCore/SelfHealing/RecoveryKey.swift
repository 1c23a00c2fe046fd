/// The key of recovery learning: what failed, and where.
public struct RecoveryKey: Hashable, Codable, Sendable {
    /// The failure type.
    public var failureType: FailureType
    /// The phase name.
    public var phaseName: String

    /// Creates a key.
    public init(failureType: FailureType, phaseName: String) {
        self.failureType = failureType
        self.phaseName = phaseName
    }
}

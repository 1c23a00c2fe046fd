/// The recovery attempts recorded in one trace (the seed's `create_recovery_report`).
public struct RecoveryReport: Hashable, Codable, Sendable {
    /// The execution.
    public var executionID: String
    /// Number of `recovery_attempt` events.
    public var recoveryCount: Int
    /// Attempts per strategy name.
    public var strategiesUsed: [String: Int]
    /// Phases with recovery attempts, sorted.
    public var phasesWithRecovery: [String]
    /// Whether the execution ended as recovered.
    public var executionRecovered: Bool
    /// The final status.
    public var finalStatus: ExecutionStatus
}

/// What recovery has done so far (the seed's `get_recovery_statistics`, with the most successful
/// strategy really being the most successful one).
public struct RecoveryStatistics: Hashable, Codable, Sendable {
    /// All recorded attempts.
    public var totalAttempts: Int
    /// Distinct phases with at least one attempt.
    public var phasesWithFailures: Int
    /// Attempts per action (raw value keys: `retry`, `skip`, …).
    public var strategyCounts: [String: Int]
    /// Observed success rate per action.
    public var successRates: [String: Double]
    /// Mean over a phase's actions of their observed success rates.
    public var averageSuccessRateByPhase: [String: Double]
    /// The action used most often (ties → declaration order of ``RecoveryAction``); `nil` without history.
    public var mostUsedStrategy: RecoveryAction?
    /// The action with the highest observed success rate (ties → more attempts, then declaration order).
    public var mostSuccessfulStrategy: RecoveryAction?
}

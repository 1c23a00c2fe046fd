/// What to do about a failed phase.
///
/// Declaration order is the tie-break order wherever strategies are ranked.
public enum RecoveryAction: String, Hashable, Codable, Sendable, CaseIterable {
    /// Run the phase again after a back-off delay.
    case retry
    /// Run a reduced version of the phase.
    case simplify
    /// Mark the phase skipped and continue.
    case skip
    /// Pause and ask a human.
    case escalate
    /// Stop the execution.
    case abort
}

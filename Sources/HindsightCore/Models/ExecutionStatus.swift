/// The lifecycle state of one execution.
///
/// The seed accepted any string; Hindsight keeps the four states the seed documents.
public enum ExecutionStatus: String, Hashable, Codable, Sendable, CaseIterable {
    /// Still running.
    case running
    /// Finished successfully. The only status that counts as success in trace-level statistics.
    case completed
    /// Finished unsuccessfully.
    case failed
    /// Finished after a recovery strategy rescued it.
    case recovered

    /// `true` for every state but ``running``.
    public var isFinished: Bool { self != .running }
}

/// The seven failure classes of the seed's self-healing manager.
///
/// Raw values are the seed's strings. Declaration order is the classification priority.
public enum FailureType: String, Hashable, Codable, Sendable, CaseIterable {
    /// The operation ran out of time (`timeout`, `timed out`, `deadline exceeded`, …).
    case timeout
    /// Access was refused (`permission denied`, `forbidden`, `EACCES`, …).
    case permissionDenied = "permission_denied"
    /// Something needed does not exist (`not found`, `no such file`, `ENOENT`, …).
    case resourceNotFound = "resource_not_found"
    /// The network failed (`connection refused`, `network unreachable`, …).
    case networkError = "network_error"
    /// Memory, disk or quota ran out (`out of memory`, `OOM`, `rate limit`, …).
    case resourceExhaustion = "resource_exhaustion"
    /// Input could not be parsed (`syntax error`, `parse error`, `invalid JSON`, …).
    case syntaxError = "syntax_error"
    /// None of the above.
    case unknownError = "unknown_error"
}

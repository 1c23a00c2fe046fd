/// Attempts and successes of one recovery action for one (failure type, phase) pair.
public struct RecoveryTally: Hashable, Codable, Sendable {
    /// Attempts recorded.
    public var attempts = 0
    /// Attempts that worked.
    public var successes = 0

    /// Creates a tally.
    public init(attempts: Int = 0, successes: Int = 0) {
        self.attempts = attempts
        self.successes = successes
    }

    /// Failed attempts.
    public var failures: Int { attempts - successes }

    /// Posterior mean success probability under a uniform Beta(1, 1) prior: `(s + 1) / (n + 2)`.
    public var posteriorMean: Double { Double(successes + 1) / Double(attempts + 2) }

    /// Observed success rate, `0` without attempts.
    public var observedRate: Double { attempts > 0 ? Double(successes) / Double(attempts) : 0 }
}

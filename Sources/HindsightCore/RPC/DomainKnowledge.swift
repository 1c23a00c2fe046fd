public import Foundation

/// Everything the adapter knows about one domain: what the analyzer stored, as core values.
///
/// Plain data so the handlers are pure; `InsightStore` builds it from the insight tables and the
/// adapter's cache holds one per domain.
public struct DomainKnowledge: Hashable, Sendable {
    /// The domain.
    public var domain: String
    /// The analyzer's insights, rebuilt exactly (phase statistics with p75/p90).
    public var insights: PerformanceInsights
    /// Recovery outcomes per failure type and strategy (`insight_recovery`).
    public var recovery: [RecoveryOutcome]
    /// The domain's A/B test, when it has one.
    public var abTest: ABState?
    /// When the analyzer computed the insights.
    public var computedAt: Date?

    /// Creates domain knowledge.
    public init(domain: String, insights: PerformanceInsights, recovery: [RecoveryOutcome] = [], abTest: ABState? = nil, computedAt: Date? = nil) {
        self.domain = domain
        self.insights = insights
        self.recovery = recovery
        self.abTest = abTest
        self.computedAt = computedAt
    }

    /// Attempts and successes of one strategy for one failure type, as stored (strings, not enums:
    /// unknown values are ignored by the handlers, never an error).
    public struct RecoveryOutcome: Hashable, Sendable {
        /// Failure type as reported (`timeout`, …; `unknown` when none was).
        public var failureType: String
        /// Strategy as reported (`retry`, `skip`, …).
        public var strategy: String
        /// Attempts.
        public var attempts: Int
        /// Successful attempts.
        public var successes: Int

        /// Creates an outcome row.
        public init(failureType: String, strategy: String, attempts: Int, successes: Int) {
            self.failureType = failureType
            self.strategy = strategy
            self.attempts = attempts
            self.successes = successes
        }
    }

    /// The state of the domain's A/B test.
    public struct ABState: Hashable, Sendable {
        /// The test's name, `<domain>/adapted-v1`.
        public var test: String
        /// The promoted winner, once a variant won significantly.
        public var promotedWinner: ABTest.Variant?

        /// Creates an A/B state.
        public init(test: String, promotedWinner: ABTest.Variant? = nil) {
            self.test = test
            self.promotedWinner = promotedWinner
        }
    }

    /// The name of a domain's adaptation test: `<domain>/adapted-v1`.
    public static func abTestName(domain: String) -> String { "\(domain)/adapted-v1" }

    /// The recovery tallies of one phase as the core's ``RecoveryPolicy`` keys them: every stored
    /// (failure type, strategy) outcome under (failure type, `phase`). Unknown strategies are dropped;
    /// the failure type `unknown` is ``FailureType/unknownError``.
    public func recoveryTallies(phase: String) -> [RecoveryKey: [RecoveryAction: RecoveryTally]] {
        var tallies: [RecoveryKey: [RecoveryAction: RecoveryTally]] = [:]
        for row in recovery where row.attempts > 0 {
            guard let action = RecoveryAction(rawValue: row.strategy) else { continue }
            let type = FailureType(rawValue: row.failureType) ?? .unknownError
            let key = RecoveryKey(failureType: type, phaseName: phase)
            tallies[key, default: [:]][action, default: RecoveryTally()].attempts += row.attempts
            tallies[key, default: [:]][action, default: RecoveryTally()].successes += Swift.min(row.successes, row.attempts)
        }
        return tallies
    }
}

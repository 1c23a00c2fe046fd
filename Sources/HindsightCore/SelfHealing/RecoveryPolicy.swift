public import Foundation

/// Chooses how to recover from a failed phase and learns from the outcomes (the seed's
/// `SelfHealingManager`, renamed for what it is).
///
/// A value type: its learning state (``tallies``) is explicit, `Codable`, and changes only through
/// ``recordOutcome(of:success:)``, so a worker can persist and restore it. Nothing here is random or
/// reads a clock; back-off jitter is a stable hash of the inputs and ``Configuration/jitterSeed``.
///
/// Choice, in order: (1) ``RecoveryAction/abort`` after ``Configuration/abortConsecutiveFailures``
/// consecutive failures; (2) ``RecoveryAction/escalate`` once `retryCount` reaches
/// ``Configuration/maxRetries``; (3) what worked: for the key (failure type, phase) each action's outcomes
/// give a Beta(1, 1) posterior mean `(s + 1) / (n + 2)`; a recovery (retry, simplify, skip) with at least
/// ``Configuration/minimumObservations`` outcomes replaces the default when its mean is higher (ties keep
/// the default, then declaration order); a default that failed that often with a mean below 0.35 and no
/// tried alternative moves one step down the ladder retry → simplify → escalate, skip → escalate;
/// (4) the seed's default table.
public struct RecoveryPolicy: Hashable, Codable, Sendable {
    /// Tunables of a ``RecoveryPolicy``.
    public struct Configuration: Hashable, Codable, Sendable {
        /// Retries before escalation. Defaults to `3`.
        public var maxRetries = 3
        /// First back-off delay in seconds. Defaults to `5`.
        public var baseDelaySeconds = 5.0
        /// Growth of the delay per retry. Defaults to `2`.
        public var backoffMultiplier = 2.0
        /// Longest delay in seconds. Defaults to `300`.
        public var maxDelaySeconds = 300.0
        /// Jitter as a fraction of the delay, applied as ±fraction. Defaults to `0.2`.
        public var jitterFraction = 0.2
        /// Seed of the deterministic jitter. Defaults to `0`.
        public var jitterSeed: UInt64 = 0
        /// Outcomes an action needs before it may replace the default. Defaults to `3`.
        public var minimumObservations = 3
        /// Consecutive failures that abort. Defaults to `5`.
        public var abortConsecutiveFailures = 5
        /// `error` events in a trace that abort. Defaults to `10`.
        public var abortErrorCount = 10
        /// Events without any `phase_end` above which the run is stuck and aborts. Defaults to `20`.
        public var abortEventsWithoutPhaseEnd = 20

        /// Creates the default configuration.
        public init() {}
    }

    /// The configuration.
    public var configuration: Configuration
    /// Learned outcomes per (failure type, phase) and action.
    public private(set) var tallies: [RecoveryKey: [RecoveryAction: RecoveryTally]] = [:]

    /// Creates a policy with no learned outcomes.
    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// Creates a policy that starts from outcomes learned elsewhere (e.g. a domain's stored recovery
    /// statistics); choices follow them exactly as if they had been recorded here.
    public init(configuration: Configuration = Configuration(), tallies: [RecoveryKey: [RecoveryAction: RecoveryTally]]) {
        self.configuration = configuration
        self.tallies = tallies
    }

    /// The strategy for a failed `phase`.
    ///
    /// - Parameters:
    ///   - retryCount: retries already made for this phase.
    ///   - consecutiveFailures: failures in a row in this execution.
    ///   - executionID: mixes into the jitter so concurrent executions do not retry in lock-step.
    public func strategy(
        for failure: FailureType, phase: PlanPhase, retryCount: Int = 0, consecutiveFailures: Int = 0, executionID: UUID? = nil
    ) -> RecoveryStrategy {
        strategy(for: failure, phaseName: phase.name, estimatedSeconds: phase.estimatedSeconds,
                 retryCount: retryCount, consecutiveFailures: consecutiveFailures, executionID: executionID)
    }

    /// The strategy for a failed phase known by name and estimate (see ``strategy(for:phase:retryCount:consecutiveFailures:executionID:)``).
    public func strategy(
        for failure: FailureType, phaseName: String, estimatedSeconds: Double?, retryCount: Int = 0,
        consecutiveFailures: Int = 0, executionID: UUID? = nil
    ) -> RecoveryStrategy {
        let estimate = estimatedSeconds ?? MetricsCollector.defaultEstimateSeconds
        if consecutiveFailures >= configuration.abortConsecutiveFailures {
            return make(.abort, failure, phaseName, estimate, retryCount, executionID,
                        reason: "\(consecutiveFailures) consecutive failures", confidence: 1)
        }
        if retryCount >= configuration.maxRetries {
            return make(.escalate, failure, phaseName, estimate, retryCount, executionID, reason: "Max retries exceeded", confidence: 1)
        }
        let (fallback, defaultReason, defaultConfidence) = Self.defaultChoice(failure, retryCount: retryCount)
        // Nothing learned yet: skip hashing the key.
        let outcomes = tallies.isEmpty ? nil : tallies[RecoveryKey(failureType: failure, phaseName: phaseName)]
        guard let outcomes, !outcomes.isEmpty else {
            return make(fallback, failure, phaseName, estimate, retryCount, executionID, reason: defaultReason, confidence: defaultConfidence)
        }
        let defaultTally = outcomes[fallback] ?? RecoveryTally()
        var best = fallback, bestMean = defaultTally.posteriorMean
        // Only recoveries compete: escalation and abort are outcomes of giving up, always "successful".
        for action in [RecoveryAction.retry, .simplify, .skip] where action != fallback {
            guard let tally = outcomes[action], tally.attempts >= configuration.minimumObservations else { continue }
            if tally.posteriorMean > bestMean {
                best = action
                bestMean = tally.posteriorMean
            }
        }
        if best != fallback, let tally = outcomes[best] {
            return make(best, failure, phaseName, estimate, retryCount, executionID,
                        reason: "Learned: \(best.rawValue) worked in \(tally.successes) of \(tally.attempts) attempts for \(failure.rawValue) in '\(phaseName)'",
                        confidence: tally.posteriorMean)
        }
        if fallback != .escalate, defaultTally.attempts >= configuration.minimumObservations, defaultTally.posteriorMean < 0.35 {
            let next: RecoveryAction = fallback == .retry ? .simplify : .escalate
            return make(next, failure, phaseName, estimate, retryCount, executionID,
                        reason: "Default \(fallback.rawValue) failed \(defaultTally.failures) of \(defaultTally.attempts) times for \(failure.rawValue) in '\(phaseName)'",
                        confidence: next == .escalate ? 1 : RecoveryTally().posteriorMean)
        }
        let confidence = defaultTally.attempts > 0 ? defaultTally.posteriorMean : defaultConfidence
        return make(fallback, failure, phaseName, estimate, retryCount, executionID, reason: defaultReason, confidence: confidence)
    }

    /// Records whether `strategy` worked; the next choice for the same failure type and phase follows it.
    public mutating func recordOutcome(of strategy: RecoveryStrategy, success: Bool) {
        let key = RecoveryKey(failureType: strategy.failureType ?? .unknownError, phaseName: strategy.phaseName)
        tallies[key, default: [:]][strategy.kind, default: RecoveryTally()].attempts += 1
        if success { tallies[key, default: [:]][strategy.kind, default: RecoveryTally()].successes += 1 }
    }

    /// Seconds to wait before retry number `retryCount + 1`: `min(max, base × multiplier^retryCount)`
    /// times `1 ± jitterFraction`, the jitter derived from a stable hash of the phase, retry count,
    /// execution id and ``Configuration/jitterSeed``.
    public func backoffDelay(retryCount: Int, phaseName: String, executionID: UUID? = nil) -> Double {
        let c = configuration
        let raw = Swift.min(c.maxDelaySeconds, c.baseDelaySeconds * pow(c.backoffMultiplier, Double(Swift.max(0, retryCount))))
        var hash = StableHash.fnv1a(phaseName.utf8, seed: StableHash.offsetBasis ^ c.jitterSeed)
        hash ^= UInt64(truncatingIfNeeded: retryCount) &* 0x9e37_79b9_7f4a_7c15
        if let executionID { hash ^= StableHash.fnv1a("", executionID) }
        let u = StableHash.unitInterval(hash)
        return raw * (1 + c.jitterFraction * (2 * u - 1))
    }

    /// Whether to stop the execution: too many consecutive failures, too many `error` events, or many
    /// events without any phase ever ending.
    public func shouldAbort(_ trace: ExecutionTrace, consecutiveFailures: Int) -> Bool {
        if consecutiveFailures >= configuration.abortConsecutiveFailures { return true }
        var errors = 0, sawPhaseEnd = false
        for event in trace.events {
            if event.kind == .error { errors += 1 } else if event.kind == .phaseEnd { sawPhaseEnd = true }
        }
        if errors >= configuration.abortErrorCount { return true }
        return !sawPhaseEnd && trace.events.count > configuration.abortEventsWithoutPhaseEnd
    }
}

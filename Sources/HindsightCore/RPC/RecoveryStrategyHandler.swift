/// Answers `recovery.strategy` with the core's ``RecoveryPolicy`` seeded with the domain's recovery
/// outcomes for the requested phase: no I/O, no clock.
public struct RecoveryStrategyHandler: Sendable {
    /// The policy's tunables.
    public var configuration: RecoveryPolicy.Configuration

    /// Creates a handler.
    public init(configuration: RecoveryPolicy.Configuration = RecoveryPolicy.Configuration()) {
        self.configuration = configuration
    }

    /// The answer to `request`; `knowledge` is `nil` without history (the core's default table applies).
    public func handle(_ request: RecoveryStrategyRequest, knowledge: DomainKnowledge?) -> RecoveryStrategyResult {
        let failure = request.failureType ?? FailureClassifier.classify(errorType: request.errorType, message: request.message)
        let tallies = knowledge?.recoveryTallies(phase: request.phase) ?? [:]
        let policy = RecoveryPolicy(configuration: configuration, tallies: tallies)
        let strategy = policy.strategy(
            for: failure, phaseName: request.phase, estimatedSeconds: request.estimatedSeconds,
            retryCount: request.attempt - 1, consecutiveFailures: request.consecutiveFailures ?? 0,
            executionID: request.executionID)
        let tally = tallies[RecoveryKey(failureType: failure, phaseName: request.phase)]?[strategy.kind] ?? RecoveryTally()
        return RecoveryStrategyResult(
            action: strategy.kind, delaySeconds: strategy.delaySeconds ?? 0, reason: strategy.reason,
            confidence: strategy.confidence, successEstimate: tally.posteriorMean, failureType: failure,
            evidence: .init(attempts: tally.attempts, successes: tally.successes), steps: strategy.actions)
    }
}

/// Answers `estimate` from the phase statistics: no I/O, no clock.
///
/// A phase with at least ``minimumSamples`` measured runs: point p50, interval p50…p90 (basis `history`).
/// Otherwise the plan's estimate ± 50 % (basis `plan`), or 60 s ± 50 % without one (basis `default`).
public struct EstimateHandler: Sendable {
    /// Runs a phase needs before its history is used. Defaults to the engine's `5`.
    public var minimumSamples: Int

    /// Creates a handler.
    public init(minimumSamples: Int = AdaptationEngine().minimumPhaseSamples) {
        self.minimumSamples = minimumSamples
    }

    /// The answer to `request`; `knowledge` is `nil` without history.
    public func handle(_ request: EstimateRequest, knowledge: DomainKnowledge?) -> EstimateResult {
        var phases: [EstimateResult.Phase] = []
        var fromHistory = 0
        for phase in request.plan {
            if let stats = knowledge?.insights.statistics(forPhase: phase.name), stats.sampleCount >= minimumSamples {
                fromHistory += 1
                phases.append(.init(
                    name: phase.name, estimateSeconds: stats.p50, lowSeconds: stats.p50, highSeconds: Swift.max(stats.p50, stats.p90),
                    basis: "history", sampleSize: stats.sampleCount))
            } else {
                let point = phase.estimatedSeconds ?? MetricsCollector.defaultEstimateSeconds
                phases.append(.init(
                    name: phase.name, estimateSeconds: point, lowSeconds: point * 0.5, highSeconds: point * 1.5,
                    basis: phase.estimatedSeconds == nil ? "default" : "plan", sampleSize: 0))
            }
        }
        let share = phases.isEmpty ? 0 : Double(fromHistory) / Double(phases.count)
        let confidence = Swift.min(1, Swift.max(0, (knowledge?.insights.confidenceScore ?? 0) * share))
        return EstimateResult(
            phases: phases, totalSeconds: phases.reduce(0) { $0 + $1.estimateSeconds },
            totalLowSeconds: phases.reduce(0) { $0 + $1.lowSeconds }, totalHighSeconds: phases.reduce(0) { $0 + $1.highSeconds },
            confidence: confidence)
    }
}

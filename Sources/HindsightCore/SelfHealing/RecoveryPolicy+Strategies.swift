import Foundation

extension RecoveryPolicy {
    /// The seed's default table: action, reason, template confidence.
    static func defaultChoice(_ failure: FailureType, retryCount: Int) -> (RecoveryAction, String, Double) {
        switch failure {
        case .timeout: (.retry, "Timeout may be transient", 0.7)
        case .networkError: (.retry, "Network issues often resolve", 0.7)
        case .resourceNotFound: (.simplify, "Resource may need to be created first", 0.6)
        case .permissionDenied: (.escalate, "Permission issues require manual intervention", 1.0)
        case .resourceExhaustion: (.simplify, "Reduce resource requirements", 0.6)
        case .syntaxError: retryCount == 0 ? (.retry, "Retry with corrected syntax", 0.7) : (.skip, "Syntax cannot be fixed", 0.5)
        case .unknownError: (.retry, "Unknown error - try once more", 0.7)
        }
    }

    /// Builds the strategy for `action` with the seed's action texts and costs
    /// (retry: estimate × 1.2 + delay; simplify: estimate × 0.8; skip and abort: 0; escalate: 300 s).
    func make(
        _ action: RecoveryAction, _ failure: FailureType, _ phase: String, _ estimate: Double, _ retryCount: Int,
        _ executionID: UUID?, reason: String, confidence: Double
    ) -> RecoveryStrategy {
        var delay: Double?
        let actions: [String], cost: Double
        switch action {
        case .retry:
            let wait = backoffDelay(retryCount: retryCount, phaseName: phase, executionID: executionID)
            delay = wait
            actions = ["Wait \(Self.tenths(wait)) seconds", "Retry phase '\(phase)'", "Log retry attempt"]
            cost = estimate * 1.2 + wait
        case .skip:
            actions = ["Mark phase '\(phase)' as skipped", "Continue to next phase", "Log skip decision"]
            cost = 0
        case .simplify:
            actions = ["Reduce scope of '\(phase)'", "Use simpler approach", "Retry with reduced complexity"]
            cost = estimate * 0.8
        case .escalate:
            actions = ["Pause execution", "Request human intervention for '\(phase)'", "Provide error details and context"]
            cost = 300
        case .abort:
            actions = ["Stop execution", "Record failure of '\(phase)'", "Report error details and context"]
            cost = 0
        }
        return try! RecoveryStrategy(
            kind: action, phaseName: phase, reason: reason, actions: actions,
            confidence: Swift.min(1, Swift.max(0, confidence)), estimatedCost: Swift.max(0, cost),
            failureType: failure, delaySeconds: delay)
    }

    /// `x` with one decimal, rounded half up; cheaper than `String(format:)` on the hot path.
    static func tenths(_ x: Double) -> String {
        let t = Int((x * 10).rounded())
        return "\(t / 10).\(t % 10)"
    }

    /// Totals over everything recorded.
    public func statistics() -> RecoveryStatistics {
        var perAction: [RecoveryAction: RecoveryTally] = [:]
        var perPhase: [String: [RecoveryAction: RecoveryTally]] = [:]
        for (key, actions) in tallies {
            for (action, tally) in actions {
                perAction[action, default: RecoveryTally()].attempts += tally.attempts
                perAction[action, default: RecoveryTally()].successes += tally.successes
                perPhase[key.phaseName, default: [:]][action, default: RecoveryTally()].attempts += tally.attempts
                perPhase[key.phaseName, default: [:]][action, default: RecoveryTally()].successes += tally.successes
            }
        }
        let ordered = RecoveryAction.allCases.filter { (perAction[$0]?.attempts ?? 0) > 0 }
        let mostUsed = ordered.max { a, b in
            let (x, y) = (perAction[a]!.attempts, perAction[b]!.attempts)
            return x != y ? x < y : a.order > b.order
        }
        let mostSuccessful = ordered.max { a, b in
            let (x, y) = (perAction[a]!, perAction[b]!)
            if x.observedRate != y.observedRate { return x.observedRate < y.observedRate }
            return x.attempts != y.attempts ? x.attempts < y.attempts : a.order > b.order
        }
        return RecoveryStatistics(
            totalAttempts: perAction.values.reduce(0) { $0 + $1.attempts },
            phasesWithFailures: perPhase.count,
            strategyCounts: Dictionary(uniqueKeysWithValues: perAction.map { ($0.key.rawValue, $0.value.attempts) }),
            successRates: Dictionary(uniqueKeysWithValues: perAction.map { ($0.key.rawValue, $0.value.observedRate) }),
            averageSuccessRateByPhase: perPhase.mapValues { actions in
                actions.values.reduce(0) { $0 + $1.observedRate } / Double(actions.count)
            },
            mostUsedStrategy: mostUsed, mostSuccessfulStrategy: mostSuccessful)
    }

    /// The recovery attempts recorded in `trace` as `recovery_attempt` events.
    public static func report(for trace: ExecutionTrace) -> RecoveryReport {
        var count = 0
        var strategies: [String: Int] = [:]
        var phases = Set<String>()
        for event in trace.events where event.kind == .recoveryAttempt {
            count += 1
            if let strategy = event.attributes["strategy"] { strategies[strategy, default: 0] += 1 }
            if let phase = event.phaseName, !phase.isEmpty { phases.insert(phase) }
        }
        return RecoveryReport(
            executionID: trace.executionID.uuidString.lowercased(), recoveryCount: count, strategiesUsed: strategies,
            phasesWithRecovery: phases.sorted(), executionRecovered: trace.status == .recovered, finalStatus: trace.status)
    }
}

extension RecoveryAction {
    var order: Int { Self.allCases.firstIndex(of: self)! }
}

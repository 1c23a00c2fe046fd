import HindsightCore

/// The seed system's own rules, re-implemented compactly from its specification and computed
/// in-process over the history this group has seen (its own executions of earlier rounds).
///
/// - Plan (`PlanOptimizer.optimize_plan` with in-memory traces): the 20 most recent finished
///   executions of the domain; fewer than 10 → the plan unchanged; otherwise the five phases with the
///   longest mean duration get `int(mean × 1.2)` seconds. The order is never changed (the seed only
///   lists parallel opportunities). Confidence: the seed's sample-size table on those ≤ 20 runs.
/// - Recovery (`SelfHealingManager`): abort when `should_abort_execution` (5 consecutive failures or
///   10 errors); escalate at 3 retries; else the learned strategy of the phase name (highest
///   exponential moving average of outcomes, α = 0.3, if ≥ 0.3; the failure type is ignored); else the
///   default table on the seed's substring classification. A retry waits 5 seconds ("Wait 5 seconds").
/// - Learning: the moving averages are updated from this group's outcomes at the end of each round
///   (in execution order), not during it, so results do not depend on scheduling.
package struct SeedRules: Sendable {
    /// Finished executions per domain, oldest first.
    private var history: [String: [ExecutionOutcome]] = [:]
    /// Per phase name, strategies in first-use order with their moving-average success rate.
    private var rates: [String: [(action: RecoveryAction, rate: Double)]] = [:]

    package init() {}

    /// The plan, its estimated total and the confidence the seed would report.
    package func plan(for domain: DomainTruth) -> (plan: [PlannedPhase], estimate: Double, confidence: Double) {
        var plan = ExecutionSimulator.originalPlan(domain)
        let similar = Array((history[domain.name] ?? []).suffix(20).reversed())
        let confidence = SampleConfidence.score(sampleSize: similar.count, minimumSampleSize: 10)
        if similar.count >= 10 {
            var order: [String] = []
            var sums: [String: (total: Double, count: Int)] = [:]
            for run in similar {
                for phase in run.startOrder {
                    guard let seconds = run.phaseSeconds[phase] else { continue }
                    if sums[phase] == nil { order.append(phase) }
                    sums[phase, default: (0, 0)].total += seconds
                    sums[phase, default: (0, 0)].count += 1
                }
            }
            let means = order.map { ($0, sums[$0].map { $0.total / Double($0.count) } ?? 0) }
            let slow = means.enumerated().sorted { a, b in
                a.element.1 != b.element.1 ? a.element.1 > b.element.1 : a.offset < b.offset
            }.prefix(5).map(\.element)
            for (name, mean) in slow {
                if let i = plan.firstIndex(where: { $0.name == name }) {
                    plan[i].estimatedSeconds = Double(Int(mean * 1.2))
                }
            }
        }
        return (plan, plan.reduce(0) { $0 + $1.estimatedSeconds }, confidence)
    }

    /// The seed's strategy for a failure.
    package func advise(_ question: RecoveryQuestion) -> RecoveryAnswer {
        let failure = Self.classify(question.message)
        func answer(_ action: RecoveryAction) -> RecoveryAnswer {
            RecoveryAnswer(action: action, delaySeconds: action == .retry ? 5 : 0, failureType: failure.rawValue)
        }
        if question.consecutiveFailures >= 5 || question.errorsSoFar >= 10 { return answer(.abort) }
        let retryCount = question.attempt - 1
        if retryCount >= 3 { return answer(.escalate) }
        if let learned = rates[question.phase]?.enumerated().max(by: { a, b in
            a.element.rate != b.element.rate ? a.element.rate < b.element.rate : a.offset > b.offset
        }), learned.element.rate >= 0.3 {
            return answer(learned.element.action)
        }
        switch failure {
        case .timeout, .networkError: return answer(.retry)
        case .resourceNotFound, .resourceExhaustion: return answer(.simplify)
        case .permissionDenied: return answer(.escalate)
        case .syntaxError: return answer(retryCount == 0 ? .retry : .skip)
        case .unknownError: return answer(.retry)
        }
    }

    /// Learns from a round's executions of this group (sorted by index, as the seed would have seen them).
    package mutating func learn(from outcomes: [ExecutionOutcome]) {
        for outcome in outcomes.sorted(by: { ($0.round, $0.index) < ($1.round, $1.index) }) {
            if outcome.finished { history[outcome.domain, default: []].append(outcome) }
            for record in outcome.recoveries {
                var list = rates[record.phase] ?? []
                let value = record.success ? 1.0 : 0.0
                if let i = list.firstIndex(where: { $0.action == record.action }) {
                    list[i].rate = 0.3 * value + 0.7 * list[i].rate
                } else {
                    list.append((record.action, 0.3 * value))
                }
                rates[record.phase] = list
            }
        }
    }

    /// The seed's `detect_failure`: the first matching lower-cased substring rule.
    static func classify(_ message: String) -> FailureType {
        let text = message.lowercased()
        if text.contains("timeout") { return .timeout }
        if text.contains("permission") || text.contains("access") { return .permissionDenied }
        if text.contains("not found") { return .resourceNotFound }
        if text.contains("connection") || text.contains("network") { return .networkError }
        if text.contains("memory") || text.contains("oom") { return .resourceExhaustion }
        if text.contains("syntax") || text.contains("parse") { return .syntaxError }
        return .unknownError
    }
}

package import Foundation
package import HindsightCore
import HindsightAgent

/// Runs one execution against the world: the phases of the plan the agent was given (with the world's
/// order deviation), durations and failures drawn from the world, each failure handled by `advise` and
/// settled by the world. Returns the events the agent publishes and the measured outcome.
///
/// Pure apart from `advise`: every draw is keyed by (seed, round, index, phase, attempt, purpose), so the
/// same slot gives the same luck to every group and in every run.
package struct ExecutionSimulator: Sendable {
    package var world: World
    var random: WorldRandom

    package init(world: World) {
        self.world = world
        random = WorldRandom(seed: world.seed)
    }

    /// The domain and goal of execution slot (`round`, `index`), the same for every group.
    package func slot(round: Int, index: Int) -> (domain: DomainTruth, goal: String) {
        let domains = world.domainTruths
        let domain = domains[random.index(domains.count, "slot", "\(round)", "\(index)", "domain")]
        let template = domain.goals[random.index(domain.goals.count, "slot", "\(round)", "\(index)", "goal")]
        let number = 10 + random.index(990, "slot", "\(round)", "\(index)", "goal-number")
        return (domain, template.replacingOccurrences(of: "%d", with: "\(number)"))
    }

    /// The plan every agent starts with: the domain's phases in order with their (partly wrong) estimates.
    package static func originalPlan(_ domain: DomainTruth) -> [PlannedPhase] {
        domain.phases.map { PlannedPhase(name: $0.name, estimatedSeconds: $0.planEstimateSeconds) }
    }

    /// The order the agent actually runs `plan` in: as given, except that with the world's
    /// `orderDeviation` one pair of adjacent phases that do not depend on each other is swapped.
    package func actualOrder(of plan: [PlannedPhase], in domain: DomainTruth, round: Int, index: Int) -> [PlannedPhase] {
        var order = plan.filter { phase in domain.phases.contains { $0.name == phase.name } }
        guard random.unit("order", "\(round)", "\(index)") < world.orderDeviation else { return order }
        let swappable = order.indices.dropLast().filter { i in
            let later = domain.phases.first { $0.name == order[i + 1].name }
            return !(later?.dependencies.contains(order[i].name) ?? true)
        }
        guard !swappable.isEmpty else { return order }
        let i = swappable[random.index(swappable.count, "order-pair", "\(round)", "\(index)")]
        order.swapAt(i, i + 1)
        return order
    }

    /// What one execution needs besides the world.
    package struct Run: Sendable {
        package var group: AgentGroup
        package var round: Int
        package var index: Int
        package var executionID: UUID
        package var domain: DomainTruth
        package var goal: String
        package var plan: [PlannedPhase]
        package var estimatedSeconds: Double
        package var confidence: Double
        package var abTest: String?
        package var variant: String?
        package var startMicros: Int64
        package var agentID: String

        package init(
            group: AgentGroup, round: Int, index: Int, executionID: UUID, domain: DomainTruth, goal: String, plan: [PlannedPhase],
            estimatedSeconds: Double, confidence: Double, abTest: String? = nil, variant: String? = nil, startMicros: Int64,
            agentID: String
        ) {
            self.group = group
            self.round = round
            self.index = index
            self.executionID = executionID
            self.domain = domain
            self.goal = goal
            self.plan = plan
            self.estimatedSeconds = estimatedSeconds
            self.confidence = confidence
            self.abTest = abTest
            self.variant = variant
            self.startMicros = startMicros
            self.agentID = agentID
        }
    }

    /// Runs `run`, asking `advise` at each failure.
    package func simulate(
        _ run: Run, advise: (RecoveryQuestion) async throws -> RecoveryAnswer
    ) async rethrows -> (events: [WireEvent], outcome: ExecutionOutcome) {
        let slot = ["\(run.round)", "\(run.index)"]
        let ids = EventIDs(random: random, execution: run.executionID)
        var recorder = ExecutionRecorder(executionID: run.executionID, domain: run.domain.name) { ids.next() }
        var seconds = 0.0
        func at(_ s: Double) -> Int64 { run.startMicros + Int64((s * 1_000_000).rounded()) }
        let order = actualOrder(of: run.plan, in: run.domain, round: run.round, index: run.index)
        recorder.record(.executionStarted, at: at(0), payload: EventPayload(
            goal: run.goal, agentID: run.agentID, plan: run.plan.map(\.name), abTest: run.abTest, variant: run.variant))

        var outcome = ExecutionOutcome(
            group: run.group, round: run.round, index: run.index, executionID: run.executionID, domain: run.domain.name,
            finished: true, durationSeconds: 0, estimatedSeconds: run.estimatedSeconds, confidence: run.confidence,
            transientFailures: 0, transientRecovered: 0, recoveries: [], phaseSeconds: [:], startOrder: order.map(\.name))
        var started: Set<String> = []
        var consecutiveFailures = 0
        var errors = 0
        phases: for planned in order {
            guard let truth = run.domain.phases.first(where: { $0.name == planned.name }) else { continue }
            let effect = run.domain.orderEffect
            let helped = effect.second == truth.name && started.contains(effect.first)
            started.insert(truth.name)
            let durationFactor = helped ? effect.durationFactor : 1
            let failureFactor = helped ? effect.failureFactor : 1
            let phaseStart = seconds
            recorder.startPhase(truth.name, estimatedSeconds: planned.estimatedSeconds, at: at(seconds))
            func duration(_ attempt: Int) -> Double {
                truth.medianSeconds * exp(truth.sigma * random.normal(slot + [truth.name, "\(attempt)", "duration"])) * durationFactor
            }
            // The first run: does it fail, and how?
            var failure: FailureKind?
            for kind in FailureKind.allCases {
                let rate = (truth.failureRates[kind] ?? 0) * failureFactor
                if rate > 0, random.unit(slot + [truth.name, kind.rawValue, "fails"]) < rate {
                    failure = kind
                    break
                }
            }
            var runSeconds = duration(0)
            guard let kind = failure else {
                seconds += runSeconds
                recorder.toolUsed(truth.capability, durationMs: (runSeconds * 1000).rounded(), phase: truth.name, at: at(seconds))
                recorder.endPhase(truth.name, at: at(seconds))
                outcome.phaseSeconds[truth.name] = seconds - phaseStart
                consecutiveFailures = 0
                continue
            }
            if kind.isTransient { outcome.transientFailures += 1 }
            var attempt = 0
            while true {
                // The run fails part-way through.
                seconds += runSeconds * (0.2 + 0.8 * random.unit(slot + [truth.name, "\(attempt)", "fails-at"]))
                let message = kind.message(number: 10 + random.index(990, slot + [truth.name, "\(attempt)", "message"]))
                recorder.error(type: kind.errorType, message: message, phase: truth.name, at: at(seconds))
                errors += 1
                consecutiveFailures += 1
                attempt += 1
                if attempt > world.maxAttemptsPerFailure {
                    recorder.endPhase(truth.name, success: false, error: message, at: at(seconds))
                    outcome.finished = false
                    break phases
                }
                let answer = try await advise(RecoveryQuestion(
                    domain: run.domain.name, phase: truth.name, errorType: kind.errorType, message: message, attempt: attempt,
                    elapsedSeconds: seconds, consecutiveFailures: consecutiveFailures, estimatedSeconds: planned.estimatedSeconds,
                    errorsSoFar: errors))
                switch answer.action {
                case .retry, .simplify:
                    let delay = answer.action == .retry ? max(0, answer.delaySeconds) : 0
                    seconds += delay
                    let works = random.unit(slot + [truth.name, "\(attempt)", "recovers"])
                        < kind.successProbability(of: answer.action, delaySeconds: delay)
                    runSeconds = duration(attempt) * (answer.action == .simplify ? 0.6 : 1)
                    outcome.recoveries.append(RecoveryRecord(phase: truth.name, action: answer.action, success: works))
                    if works {
                        seconds += runSeconds
                        recorder.recoveryAttempted(strategy: answer.action.rawValue, failureType: answer.failureType, success: true,
                                                   phase: truth.name, at: at(seconds))
                        recorder.toolUsed(truth.capability, durationMs: (runSeconds * 1000).rounded(), phase: truth.name, at: at(seconds))
                        recorder.endPhase(truth.name, at: at(seconds))
                        outcome.phaseSeconds[truth.name] = seconds - phaseStart
                        if kind.isTransient { outcome.transientRecovered += 1 }
                        consecutiveFailures = 0
                        continue phases
                    }
                    recorder.recoveryAttempted(strategy: answer.action.rawValue, failureType: answer.failureType, success: false,
                                               phase: truth.name, at: at(seconds + runSeconds * 0.01))
                case .skip:
                    outcome.recoveries.append(RecoveryRecord(phase: truth.name, action: .skip, success: truth.optional))
                    recorder.recoveryAttempted(strategy: "skip", failureType: answer.failureType, success: truth.optional,
                                               phase: truth.name, at: at(seconds))
                    recorder.endPhase(truth.name, success: false, error: "skipped: \(message)", at: at(seconds))
                    guard truth.optional else {
                        outcome.finished = false
                        break phases
                    }
                    continue phases
                case .escalate, .abort:
                    if answer.action == .escalate { seconds += world.escalationSeconds }
                    outcome.recoveries.append(RecoveryRecord(phase: truth.name, action: answer.action, success: false))
                    recorder.recoveryAttempted(strategy: answer.action.rawValue, failureType: answer.failureType, success: false,
                                               phase: truth.name, at: at(seconds))
                    recorder.endPhase(truth.name, success: false, error: message, at: at(seconds))
                    outcome.finished = false
                    break phases
                }
            }
        }
        seconds += 0.001
        outcome.durationSeconds = seconds
        // A run that reached its goal after recoveries is `completed`: the store counts only `completed` as
        // success, and the recoveries are in its events.
        let status = outcome.finished ? "completed" : "failed"
        recorder.complete(status: status, result: outcome.finished ? "done" : "gave up", at: at(seconds))
        return (recorder.events, outcome)
    }
}

/// Event ids derived from the execution id and a counter (the same in every run).
private final class EventIDs: @unchecked Sendable {
    // Used by one execution's recorder on one task only.
    private var counter = 0
    private let random: WorldRandom
    private let execution: String

    init(random: WorldRandom, execution: UUID) {
        self.random = random
        self.execution = execution.uuidString
    }

    func next() -> UUID {
        counter += 1
        return UUID.simulated(random, "event", execution, "\(counter)")
    }
}

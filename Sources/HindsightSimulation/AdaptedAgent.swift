import Foundation
import HindsightAgent
import HindsightCore
import Logging
import Synchronization

/// The adapted group's decisions: asks the adapter for its plan (`plan.optimize`, which also assigns
/// the A/B variant), its estimate (`estimate` on that plan) and each recovery (`recovery.strategy`).
///
/// When the adapter does not answer in time the agent does what the control group does (the original
/// plan, one retry) and counts a fallback; a run with fallbacks says so in its log.
struct AdaptedAgent: Sendable {
    let client: AdapterClient
    let timeout: Duration
    let fallbacks: FallbackCounter
    let logger: Logger

    struct Plan: Sendable {
        var phases: [PlannedPhase]
        var estimate: Double
        var confidence: Double
        var abTest: String?
        var variant: String?
    }

    func plan(domain: DomainTruth, goal: String, executionID: UUID) async -> Plan {
        let original = ExecutionSimulator.originalPlan(domain)
        let request = PlanOptimizeRequest(
            domain: domain.name, goal: goal, executionID: executionID,
            plan: domain.phases.map { phase in
                RPCPlanPhase(name: phase.name, estimatedSeconds: phase.planEstimateSeconds,
                             dependencies: phase.dependencies.isEmpty ? nil : phase.dependencies,
                             requiredCapabilities: [phase.capability])
            })
        var plan = Plan(phases: original, estimate: original.reduce(0) { $0 + $1.estimatedSeconds }, confidence: 0)
        do {
            let reply = try await client.optimize(request, timeout: timeout).result
            plan.phases = reply.phases.map { phase in
                PlannedPhase(
                    name: phase.name,
                    estimatedSeconds: phase.estimatedSeconds ?? domain.phases.first { $0.name == phase.name }?.planEstimateSeconds ?? 60)
            }
            plan.confidence = reply.confidence
            plan.abTest = reply.variant?.test
            plan.variant = reply.variant?.variant.rawValue
        } catch {
            fallbacks.add()
            logger.warning("simulation.adapter.optimize.failed", metadata: ["error.message": "\(error)"])
            return plan
        }
        do {
            let estimate = try await client.estimate(
                EstimateRequest(domain: domain.name, plan: plan.phases.map { RPCPlanPhase(name: $0.name, estimatedSeconds: $0.estimatedSeconds) }),
                timeout: timeout)
            plan.estimate = estimate.result.totalSeconds
        } catch {
            fallbacks.add()
            plan.estimate = plan.phases.reduce(0) { $0 + $1.estimatedSeconds }
            logger.warning("simulation.adapter.estimate.failed", metadata: ["error.message": "\(error)"])
        }
        return plan
    }

    func advise(_ question: RecoveryQuestion, executionID: UUID) async -> RecoveryAnswer {
        let request = RecoveryStrategyRequest(
            domain: question.domain, phase: question.phase, errorType: question.errorType, message: question.message,
            attempt: question.attempt, elapsedSeconds: question.elapsedSeconds, executionID: executionID,
            consecutiveFailures: question.consecutiveFailures, estimatedSeconds: question.estimatedSeconds)
        do {
            let reply = try await client.recoveryStrategy(for: request, timeout: timeout).result
            return RecoveryAnswer(action: reply.action, delaySeconds: reply.delaySeconds, failureType: reply.failureType.rawValue)
        } catch {
            fallbacks.add()
            logger.warning("simulation.adapter.recovery.failed", metadata: ["error.message": "\(error)"])
            return ControlRules.advise(question)
        }
    }
}

/// Adapter calls that got no answer (the agent fell back to the control group's behaviour).
final class FallbackCounter: Sendable {
    private let value = Atomic<Int>(0)
    func add() { value.add(1, ordering: .relaxed) }
    var count: Int { value.load(ordering: .relaxed) }
}

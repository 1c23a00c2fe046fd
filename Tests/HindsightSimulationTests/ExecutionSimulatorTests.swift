import Foundation
import HindsightCore
import HindsightSimulation
import Testing

@Suite struct ExecutionSimulatorTests {
    static func run(
        _ simulator: ExecutionSimulator, round: Int, index: Int, plan: [PlannedPhase]? = nil, group: AgentGroup = .control
    ) -> ExecutionSimulator.Run {
        let (domain, goal) = simulator.slot(round: round, index: index)
        return ExecutionSimulator.Run(
            group: group, round: round, index: index, executionID: UUID.simulated(WorldRandom(seed: 1), "\(round)", "\(index)"),
            domain: domain, goal: goal, plan: plan ?? ExecutionSimulator.originalPlan(domain), estimatedSeconds: 100,
            confidence: 0, startMicros: 1_700_000_000_000_000, agentID: "agent")
    }

    @Test func aFixedSeedGivesIdenticalControlOutcomesAndEvents() async {
        func control(_ seed: UInt64) async -> [(events: [WireEvent], outcome: ExecutionOutcome)] {
            let simulator = ExecutionSimulator(world: .standard(seed: seed))
            var results: [(events: [WireEvent], outcome: ExecutionOutcome)] = []
            for index in 0..<60 {
                results.append(await simulator.simulate(Self.run(simulator, round: 1, index: index)) { ControlRules.advise($0) })
            }
            return results
        }
        let first = await control(7), second = await control(7), other = await control(8)
        #expect(first.map(\.outcome) == second.map(\.outcome))
        #expect(first.map(\.events) == second.map(\.events))
        #expect(first.map(\.outcome.durationSeconds) != other.map(\.outcome.durationSeconds))
        // Something happens in 60 executions: failures, some recovered, some not.
        #expect(first.contains { !$0.outcome.finished })
        #expect(first.contains { $0.outcome.transientRecovered > 0 })
    }

    @Test func runningTheHelpingPhaseFirstMakesTheOtherFasterAndFailLess() async {
        var world = World.standard(seed: 3)
        world.orderDeviation = 0
        let simulator = ExecutionSimulator(world: world)
        var sums: [Bool: (seconds: Double, runs: Int, failures: Int)] = [:]
        for index in 0..<600 {
            let (domain, _) = simulator.slot(round: 1, index: index)
            let effect = domain.orderEffect
            for helped in [false, true] {
                var plan = ExecutionSimulator.originalPlan(domain)
                if helped, let i = plan.firstIndex(where: { $0.name == effect.second }), let j = plan.firstIndex(where: { $0.name == effect.first }) {
                    plan.swapAt(i, j)
                }
                let (_, outcome) = await simulator.simulate(Self.run(simulator, round: 1, index: index, plan: plan)) { _ in
                    RecoveryAnswer(action: .abort, delaySeconds: 0, failureType: "unknown_error")
                }
                let failedThere = outcome.recoveries.contains { $0.phase == effect.second }
                if let seconds = outcome.phaseSeconds[effect.second] {
                    sums[helped, default: (0, 0, 0)].seconds += seconds
                    sums[helped, default: (0, 0, 0)].runs += 1
                }
                if failedThere { sums[helped, default: (0, 0, 0)].failures += 1 }
            }
        }
        let plain = sums[false] ?? (0, 1, 0), helped = sums[true] ?? (0, 1, 0)
        #expect(helped.seconds / Double(helped.runs) < 0.9 * plain.seconds / Double(plain.runs))
        #expect(helped.failures < plain.failures)
    }

    @Test func retryingAMissingResourceNeverWorksButSimplifyingDoes() async {
        let simulator = ExecutionSimulator(world: .standard(seed: 5))
        var retried = 0, simplified = 0, retryWorked = 0, simplifyWorked = 0
        for index in 0..<1500 {
            for action in [RecoveryAction.retry, .simplify] {
                let (_, outcome) = await simulator.simulate(Self.run(simulator, round: 1, index: index)) { question in
                    RecoveryAnswer(action: question.errorType == "FileNotFoundError" ? action : .abort, delaySeconds: 30, failureType: "x")
                }
                for record in outcome.recoveries where record.action == action {
                    if action == .retry { retried += 1; if record.success { retryWorked += 1 } }
                    else { simplified += 1; if record.success { simplifyWorked += 1 } }
                }
            }
        }
        #expect(retried > 20 && simplified > 20)
        #expect(retryWorked == 0)
        #expect(Double(simplifyWorked) / Double(simplified) > 0.6)
    }
}

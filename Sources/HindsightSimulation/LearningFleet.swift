package import AMQP
import Foundation
import HindsightAgent
import HindsightCore
package import Logging
import Synchronization

/// Runs the three groups of simulated agents on one world in rounds, with the cluster learning between
/// rounds, and measures each group per round (``LearningReport``).
///
/// A round: every group runs `executionsPerGroupPerRound` executions, publishing their events through
/// the agent's publisher (with confirms); then `cluster.waitUntilStored` (the barrier), then
/// `cluster.learn()`, then the seed-rules group learns from its own round. Each execution's outcome is
/// drawn from the world with draws keyed by its slot, so results do not depend on scheduling.
package struct LearningFleet: Sendable {
    package struct Configuration: Sendable {
        package var seed: UInt64
        package var rounds: Int = 8
        package var executionsPerGroupPerRound: Int = 30
        /// Concurrent simulated agents (each with its own broker connection).
        package var agents: Int = 6
        package var groups: [AgentGroup] = AgentGroup.allCases
        package var adapterTimeout: Duration = .seconds(5)
        /// Where agents publish their events (a private cluster uses its own exchange).
        package var eventsExchange: String = WireContract.eventsExchange
        /// Where adapter requests go (a private cluster uses its own exchange).
        package var adapterExchange: String = AdapterEnvelope.exchange
        package var adapterRoutingKey: String = AdapterEnvelope.routingKey
        /// The rounds the summary covers.
        package var summaryRounds: Int = 3

        package init(seed: UInt64) { self.seed = seed }
    }

    package let configuration: Configuration
    package let world: World
    let amqp: AMQPConfiguration
    let cluster: any LearningCluster
    let logger: Logger

    package init(configuration: Configuration, world: World, amqp: AMQPConfiguration, cluster: any LearningCluster, logger: Logger) {
        self.configuration = configuration
        self.world = world
        self.amqp = amqp
        self.cluster = cluster
        self.logger = logger
    }

    /// Runs every round and returns the report.
    package func run(progress: @escaping @Sendable (LearningProgress) -> Void) async throws -> LearningReport {
        let c = configuration
        guard c.rounds >= 1, c.executionsPerGroupPerRound >= 1, c.agents >= 1, !c.groups.isEmpty else {
            throw LearningError("a learning run needs at least one round, one execution per group, one agent and one group")
        }
        let simulator = ExecutionSimulator(world: world)
        let total = c.rounds * c.executionsPerGroupPerRound * c.groups.count
        let fallbacks = FallbackCounter()
        // Simulated executions lie in the past: round r starts (rounds + 1 − r) hours ago.
        let base = (WireFormat.currentMicros() / 1_000_000 - Int64(c.rounds + 1) * 3600) * 1_000_000
        var seedRules = SeedRules()
        var outcomes: [ExecutionOutcome] = []
        for round in 1...c.rounds {
            progress(LearningProgress(round: round, rounds: c.rounds, executionsDone: outcomes.count, executionsTotal: total, phase: "running"))
            let done = outcomes.count
            let these = try await runRound(
                round, simulator: simulator, seedRules: seedRules, base: base, fallbacks: fallbacks
            ) { finished in
                progress(LearningProgress(round: round, rounds: c.rounds, executionsDone: done + finished, executionsTotal: total, phase: "running"))
            }
            progress(LearningProgress(round: round, rounds: c.rounds, executionsDone: done + these.count, executionsTotal: total, phase: "storing"))
            try await cluster.waitUntilStored(these.map(\.executionID))
            progress(LearningProgress(round: round, rounds: c.rounds, executionsDone: done + these.count, executionsTotal: total, phase: "learning"))
            try await cluster.learn()
            seedRules.learn(from: these.filter { $0.group == .seedRules })
            outcomes += these
        }
        if fallbacks.count > 0 {
            logger.warning("simulation.adapter.fallbacks", metadata: ["count": "\(fallbacks.count)"])
        }
        var report = LearningReport(
            seed: c.seed, generatedAt: Date(), world: world, groups: c.groups,
            rounds: Figures.rounds(outcomes, groups: c.groups, rounds: c.rounds),
            summary: Figures.summary(outcomes, groups: c.groups, rounds: c.rounds, lastRounds: c.summaryRounds))
        report.adapterFallbacks = fallbacks.count
        return report
    }

    private struct Job: Sendable {
        var group: AgentGroup
        var index: Int
    }

    /// Runs one round's executions on `agents` concurrent agents; returns the outcomes sorted by group
    /// and index.
    private func runRound(
        _ round: Int, simulator: ExecutionSimulator, seedRules: SeedRules, base: Int64, fallbacks: FallbackCounter,
        finished: @escaping @Sendable (Int) -> Void
    ) async throws -> [ExecutionOutcome] {
        let c = configuration
        var jobs: [Job] = []
        for index in 0..<c.executionsPerGroupPerRound {
            for group in c.groups { jobs.append(Job(group: group, index: index)) }
        }
        let queue = jobs
        let next = Tickets()
        let done = Tickets()
        let spacing = 3000 * 1_000_000 / Int64(c.executionsPerGroupPerRound)
        let roundStart = base + Int64(round - 1) * 3_600_000_000
        let random = WorldRandom(seed: world.seed)
        let results = try await withThrowingTaskGroup(of: [ExecutionOutcome].self) { tasks in
            for agent in 0..<min(c.agents, queue.count) {
                tasks.addTask {
                    var amqp = self.amqp
                    amqp.connectionName = "hindsight-simulation-agent-\(agent)"
                    let connection = try await AMQPConnection.connect(amqp, logger: logger)
                    let publisher = EventPublisher(
                        connection: connection, configuration: try .init(exchange: c.eventsExchange), logger: logger)
                    let adapter = AdaptedAgent(
                        client: AdapterClient(connection: connection, exchange: c.adapterExchange, routingKey: c.adapterRoutingKey),
                        timeout: c.adapterTimeout, fallbacks: fallbacks, logger: logger)
                    var mine: [ExecutionOutcome] = []
                    do {
                        while true {
                            let position = next.take()
                            guard position < queue.count else { break }
                            let job = queue[position]
                            let (events, outcome) = try await execute(
                                job, round: round, simulator: simulator, seedRules: seedRules, adapter: adapter, random: random,
                                startMicros: roundStart + Int64(job.index) * spacing)
                            _ = try await publisher.publish(events)
                            mine.append(outcome)
                            finished(done.take() + 1)
                        }
                    } catch {
                        await publisher.close()
                        await connection.closeAndWait()
                        throw error
                    }
                    await publisher.close()
                    await connection.closeAndWait()
                    return mine
                }
            }
            return try await tasks.reduce(into: [ExecutionOutcome]()) { $0 += $1 }
        }
        return results.sorted { a, b in
            (c.groups.firstIndex(of: a.group) ?? 0, a.index) < (c.groups.firstIndex(of: b.group) ?? 0, b.index)
        }
    }

    private func execute(
        _ job: Job, round: Int, simulator: ExecutionSimulator, seedRules: SeedRules, adapter: AdaptedAgent, random: WorldRandom,
        startMicros: Int64
    ) async throws -> ([WireEvent], ExecutionOutcome) {
        let (domain, goal) = simulator.slot(round: round, index: job.index)
        let executionID = UUID.simulated(random, "execution", job.group.rawValue, "\(round)", "\(job.index)")
        var run = ExecutionSimulator.Run(
            group: job.group, round: round, index: job.index, executionID: executionID, domain: domain, goal: goal,
            plan: ExecutionSimulator.originalPlan(domain), estimatedSeconds: 0, confidence: 0, startMicros: startMicros,
            agentID: "\(job.group.rawValue)-agent-\(job.index % max(1, configuration.agents))")
        switch job.group {
        case .control:
            run.estimatedSeconds = run.plan.reduce(0) { $0 + $1.estimatedSeconds }
            return await simulator.simulate(run) { ControlRules.advise($0) }
        case .seedRules:
            let plan = seedRules.plan(for: domain)
            run.plan = plan.plan
            run.estimatedSeconds = plan.estimate
            run.confidence = plan.confidence
            return await simulator.simulate(run) { seedRules.advise($0) }
        case .adapted:
            let plan = await adapter.plan(domain: domain, goal: goal, executionID: executionID)
            run.plan = plan.phases
            run.estimatedSeconds = plan.estimate
            run.confidence = plan.confidence
            run.abTest = plan.abTest
            run.variant = plan.variant
            return await simulator.simulate(run) { await adapter.advise($0, executionID: executionID) }
        }
    }
}

/// Hands out 0, 1, 2, … to concurrent agents (the next job of a round).
private final class Tickets: Sendable {
    private let value = Atomic<Int>(0)
    func take() -> Int { value.add(1, ordering: .relaxed).oldValue }
}

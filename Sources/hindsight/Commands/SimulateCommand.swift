import AMQP
import ArgumentParser
import Foundation
import HindsightAgent
import HindsightCore
import HindsightSimulation
import HindsightStore
import HindsightTesting
import Logging

/// `hindsight simulate`: a fleet of simulated agents publishing realistic executions.
///
/// Without `--rounds`: publishes `--executions` generated executions to the broker (for the trackers
/// that are running). With `--rounds`: the learning fleet (docs/learning.md) — three groups of agents on
/// the world with a hidden ground truth, learning between rounds through a private in-process cluster
/// (trackers, adapter, analyzer) on the configured database — and writes the learning report.
struct SimulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Publish a simulated fleet's executions, or (--rounds) run the learning fleet and write its report.")

    @OptionGroup var connection: ConnectionOptions

    @Option(help: "Executions to simulate.")
    var executions: Int = 300

    @Option(help: "Concurrent agents (each with its own connection).")
    var agents: Int = 4

    @Option(help: "Events per message (1 = single-event messages, at most 1000).")
    var eventsPerMessage: Int = 1

    @Option(help: "Seed of the simulation (same seed, same history).")
    var seed: UInt64 = 42

    @Option(help: "Spread the executions' start times over this many past hours.")
    var hours: Int = 48

    @Option(help: "Learning mode: rounds of the learning fleet (each followed by an analysis).")
    var rounds: Int?

    @Option(help: "Learning mode: executions per group per round.")
    var perRound: Int = 30

    @Option(help: "Learning mode: where to write the learning report (JSON).")
    var report: String = "var/learning/report.json"

    @Option(help: "Learning mode: trackers of the in-process cluster.")
    var trackers: Int = 2

    func validate() throws {
        if let rounds {
            guard (1...100).contains(rounds) else { throw ValidationError("--rounds must be 1…100") }
            guard (1...10_000).contains(perRound) else { throw ValidationError("--per-round must be 1…10000") }
            guard (1...16).contains(trackers) else { throw ValidationError("--trackers must be 1…16") }
        }
        guard (1...10_000_000).contains(executions) else { throw ValidationError("--executions must be 1…10000000") }
        guard (1...256).contains(agents) else { throw ValidationError("--agents must be 1…256") }
        guard (1...1000).contains(eventsPerMessage) else { throw ValidationError("--events-per-message must be 1…1000") }
        guard (1...24 * 25).contains(hours) else { throw ValidationError("--hours must be 1…600") }
    }

    func run() async throws {
        try Bootstrap.run()
        let logger = Logger(label: "hindsight.simulate")
        let amqp = try connection.amqp(connectionName: "hindsight-simulate")
        if let rounds {
            try await runLearning(rounds: rounds, amqp: amqp, logger: logger)
            return
        }
        let published = try await Self.publishFleet(
            amqp: amqp, executions: executions, agents: agents, eventsPerMessage: eventsPerMessage,
            seed: seed, hours: hours, logger: logger)
        print("published \(published) events of \(executions) executions from \(agents) agents")
    }

    /// Publishes the fleet's executions; returns the number of events published.
    static func publishFleet(
        amqp: AMQPConfiguration, executions: Int, agents: Int, eventsPerMessage: Int, seed: UInt64, hours: Int,
        logger: Logger
    ) async throws -> Int {
        let now = WireFormat.currentMicros()
        let span = Int64(hours) * 3_600_000_000
        return try await withThrowingTaskGroup(of: Int.self) { group in
            for agent in 0..<agents {
                group.addTask {
                    let connection: AMQPConnection
                    do {
                        connection = try await AMQPConnection.connect(amqp, logger: logger)
                    } catch {
                        throw ExitMessage.line(for: error)
                    }
                    let publisher = EventPublisher(
                        connection: connection, configuration: try .init(eventsPerMessage: eventsPerMessage), logger: logger)
                    var simulator = FleetSimulator(seed: seed &+ UInt64(agent) &* 7919)
                    var count = 0
                    var index = agent
                    while index < executions {
                        // Executions start spread over the window and end well before now.
                        let start = now - span + span * Int64(index) / Int64(max(executions, 1)) - 3_600_000_000
                        let events = simulator.execution(startingAt: start)
                        try await publisher.publish(events)
                        count += events.count
                        index += agents
                    }
                    await connection.closeAndWait()
                    return count
                }
            }
            return try await group.reduce(0, +)
        }
    }
}

extension SimulateCommand {
    /// The learning fleet on a private in-process cluster against the configured database (migrated
    /// first, as the owner); prints a line per round and the summary, writes the report.
    func runLearning(rounds: Int, amqp: AMQPConfiguration, logger: Logger) async throws {
        let database = try connection.database(role: .owner)
        do {
            try await StoreConnection.withClient(database, logger: logger) { client in
                _ = try await Migrator(client: client, logger: logger).migrate()
            }
        } catch {
            throw ExitMessage.line(for: error, database: database)
        }
        let world = World.standard(seed: seed)
        var configuration = LearningFleet.Configuration(seed: seed)
        configuration.rounds = rounds
        configuration.executionsPerGroupPerRound = perRound
        configuration.agents = agents
        let settings = configuration
        print("Learning fleet: seed \(seed), \(rounds) rounds × \(perRound) executions × \(settings.groups.count) groups, \(agents) agents, domains \(world.domains.joined(separator: ", "))")
        let result = try await LocalLearningCluster.run(
            database: database, amqp: amqp, domains: world.domains, trackers: trackers, logger: logger
        ) { setup in
            try await LearningFleet(configuration: setup.aim(settings), world: world, amqp: amqp, cluster: setup.cluster, logger: logger)
                .run { progress in
                    if progress.phase == "learning" { print("  round \(progress.round)/\(progress.rounds): stored, learning") }
                }
        }
        let url = URL(fileURLWithPath: report)
        try result.write(to: url)
        func pct(_ x: Double?) -> String { x.map { String(format: "%.1f %%", $0 * 100) } ?? "n/a" }
        func sec(_ x: Double?) -> String { x.map { String(format: "%.0f s", $0) } ?? "n/a" }
        print("Last \(result.summary.lastRounds) rounds:")
        for group in result.groups {
            let f = result.summary.groups[group.rawValue]
            print("  \(group.rawValue.padding(toLength: 11, withPad: " ", startingAt: 0)) duration \(sec(f?.meanDurationSeconds)), success \(pct(f?.successRate)), transient recovered \(pct(f?.recoveredShare)), estimate error \(pct(f?.estimateError))")
        }
        print("Report: \(url.path)")
    }
}

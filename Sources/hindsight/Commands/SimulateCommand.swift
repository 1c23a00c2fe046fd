import AMQP
import ArgumentParser
import HindsightAgent
import HindsightCore
import HindsightTesting
import Logging

/// `hindsight simulate`: a fleet of simulated agents publishing realistic executions.
struct SimulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Publish the executions of a simulated agent fleet to the broker.")

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

    func validate() throws {
        guard (1...10_000_000).contains(executions) else { throw ValidationError("--executions must be 1…10000000") }
        guard (1...256).contains(agents) else { throw ValidationError("--agents must be 1…256") }
        guard (1...1000).contains(eventsPerMessage) else { throw ValidationError("--events-per-message must be 1…1000") }
        guard (1...24 * 25).contains(hours) else { throw ValidationError("--hours must be 1…600") }
    }

    func run() async throws {
        try Bootstrap.run()
        let logger = Logger(label: "hindsight.simulate")
        let amqp = try connection.amqp(connectionName: "hindsight-simulate")
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

import AMQP
import ArgumentParser
import Foundation
import HindsightAgent
import HindsightCore
import HindsightStore
import HindsightTesting
import HindsightWorkers
import Logging
import PostgresNIO
import ServiceLifecycle

/// `hindsight demo`: the cluster's main job on one machine — trackers consuming a simulated fleet's
/// events into PostgreSQL, then what the learning core makes of the stored history.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run trackers and a simulated agent fleet, then show what Hindsight learned.")

    @OptionGroup var connection: ConnectionOptions

    @Option(help: "Executions the simulated fleet runs.")
    var executions: Int = 900

    @Option(help: "Trackers consuming in parallel.")
    var trackers: Int = 2

    @Option(help: "Simulated agents publishing in parallel.")
    var agents: Int = 6

    @Option(help: "Seed of the simulation.")
    var seed: UInt64 = UInt64(Date().timeIntervalSince1970)

    func validate() throws {
        guard (10...200_000).contains(executions) else { throw ValidationError("--executions must be 10…200000") }
        guard (1...16).contains(trackers) else { throw ValidationError("--trackers must be 1…16") }
        guard (1...64).contains(agents) else { throw ValidationError("--agents must be 1…64") }
    }

    func run() async throws {
        try Bootstrap.run(defaultLevel: .warning)
        let logger = Logger(label: "hindsight.demo")
        // The demo migrates as the owner, runs its trackers as hindsight_tracker and reads the result as
        // hindsight_analyst; a URL given explicitly is used for all three.
        let database = try connection.database(role: .owner)
        let explicit = connection.databaseURLIsExplicit
        let trackerDatabase = explicit ? database : try connection.database(role: .tracker)
        let analystDatabase = explicit ? database : try connection.database(role: .analyst)
        let amqp = try connection.amqp(connectionName: "hindsight-demo")
        let baseline: Int
        do {
            try await StoreConnection.check(database, logger: logger)
            baseline = try await StoreConnection.withClient(database, logger: logger) { client in
                _ = try await Migrator(client: client, logger: logger).migrate()
                return try await DemoReport(client: client, logger: logger).storedEvents()
            }
            let probe = try await AMQPConnection.connect(amqp, logger: logger)
            await probe.closeAndWait()
        } catch {
            throw ExitMessage.line(for: error, database: database)
        }

        let postgres = PostgresClient(configuration: trackerDatabase.clientConfiguration, backgroundLogger: logger)
        let reader = PostgresClient(configuration: analystDatabase.clientConfiguration, backgroundLogger: logger)
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: postgres), .init(service: reader)]
        for index in 0..<trackers {
            var trackerAMQP = amqp
            trackerAMQP.connectionName = "hindsight-demo-tracker-\(index)"
            services.append(.init(service: TrackerService(
                configuration: .init(), amqp: trackerAMQP, writer: ConsolidationWriter(client: postgres, logger: logger),
                health: HealthState(), logger: logger)))
        }
        let group = ServiceGroup(configuration: .init(services: services, logger: logger))
        let executions = self.executions, agents = self.agents, seed = self.seed, trackers = self.trackers
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            tasks.addTask {
                defer { Task { await group.triggerGracefulShutdown() } }
                print("Hindsight demo: \(trackers) trackers, \(agents) simulated agents, \(executions) executions")
                let report = DemoReport(client: reader, logger: logger)
                let clock = ContinuousClock()
                let started = clock.now
                let published = try await SimulateCommand.publishFleet(
                    amqp: amqp, executions: executions, agents: agents, eventsPerMessage: 1, seed: seed, hours: 48,
                    logger: logger)
                let publishTime = clock.now - started
                print("  published \(published) events in \(publishTime.formatted(.units(allowed: [.seconds], fractionalPart: .show(length: 1))))")
                try await report.waitUntilStored(events: published, baseline: baseline)
                print("  stored exactly once in \((clock.now - started).formatted(.units(allowed: [.seconds], fractionalPart: .show(length: 1)))) (first publish → last commit)\n")
                try await report.printLearned(since: Date().addingTimeInterval(-50 * 3600))
            }
            try await tasks.waitForAll()
        }
    }
}

import AMQP
import ArgumentParser
import HindsightStore
import HindsightWorkers
import Logging
import PostgresNIO
import ServiceLifecycle
import UnixSignals

/// `hindsight tracker`: consume events, store them exactly once, acknowledge after commit.
struct TrackerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tracker",
        abstract: "Consume execution events and store them in PostgreSQL (settings: HINDSIGHT_TRACKER_*).")

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var observability: ObservabilityOptions

    func run() async throws {
        let registry = try Bootstrap.run()
        let logger = Logger(label: "hindsight.tracker")
        let database = try connection.database(role: .tracker)
        let amqp = try connection.amqp(connectionName: "hindsight-tracker")
        let configuration: TrackerService.Configuration
        let observabilityConfiguration: ObservabilityServer.Configuration
        do {
            configuration = try TrackerService.Configuration(environment: EnvironmentReader())
            observabilityConfiguration = try observability.configuration()
        } catch {
            throw ExitMessage.line(for: error)
        }
        logger.info("tracker.starting", metadata: [
            "amqp.url": "\(amqp.redactedURL)", "db.url": "\(database)", "tracker.config": "\(configuration)"])
        do {
            // Fail fast, with one line, when either server is unreachable or refuses the credentials.
            try await StoreConnection.check(database, logger: logger)
            let probe = try await AMQPConnection.connect(amqp, logger: logger)
            await probe.closeAndWait()
        } catch {
            throw ExitMessage.line(for: error, database: database)
        }

        let postgres = PostgresClient(configuration: database.clientConfiguration, backgroundLogger: logger)
        let health = HealthState()
        let tracker = TrackerService(
            configuration: configuration, amqp: amqp,
            writer: ConsolidationWriter(client: postgres, logger: logger), health: health, logger: logger)
        let server = ObservabilityServer(
            configuration: observabilityConfiguration, registry: registry, health: health, logger: logger)
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: postgres), .init(service: tracker), .init(service: server)],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        do {
            try await group.run()
        } catch {
            throw ExitMessage.line(for: error, database: database)
        }
    }
}

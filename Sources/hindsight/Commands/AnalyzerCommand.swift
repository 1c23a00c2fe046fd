import ArgumentParser
import HindsightStore
import HindsightWorkers
import Logging
import PostgresNIO
import ServiceLifecycle
import UnixSignals

/// `hindsight analyzer`: recompute the insights of changed domains every interval, mark stale
/// executions, keep daily rollups, run retention; any number of replicas split the domains.
struct AnalyzerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyzer",
        abstract: "Recompute domain insights on schedule and run retention (settings: HINDSIGHT_ANALYZER_*, HINDSIGHT_RETENTION_*).")

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var observability: ObservabilityOptions

    func run() async throws {
        let registry = try Bootstrap.run()
        let logger = Logger(label: "hindsight.analyzer")
        let url = try database.resolve(role: .analyzer)
        let observabilityConfiguration: ObservabilityServer.Configuration
        var configuration: Analyzer.Configuration
        do {
            let environment = EnvironmentReader()
            configuration = try Analyzer.Configuration(environment: environment)
            configuration.retention = try RetentionRunner.Configuration(environment: environment)
            observabilityConfiguration = try observability.configuration()
        } catch {
            throw ExitMessage.line(for: error)
        }
        logger.info("analyzer.starting", metadata: ["db.url": "\(url)", "analyzer.config": "\(configuration)"])
        do {
            // Fail fast, with one line, when the server is unreachable or refuses the credentials.
            try await StoreConnection.check(url, logger: logger)
        } catch {
            throw ExitMessage.line(for: error, database: url)
        }

        let postgres = PostgresClient(configuration: url.clientConfiguration, backgroundLogger: logger)
        let health = HealthState()
        let metrics = AnalyzerMetrics()
        let retention: RetentionRunner
        do {
            retention = try RetentionRunner(configuration: configuration.retention, client: postgres, logger: logger)
        } catch {
            throw OneLineError("configuration: \(error)")
        }
        let analyzer = AnalyzerService(
            analyzer: Analyzer(configuration: configuration, client: postgres, logger: logger, metrics: metrics),
            configuration: configuration, health: health, metrics: metrics, retention: retention, logger: logger)
        let server = ObservabilityServer(
            configuration: observabilityConfiguration, registry: registry, health: health, logger: logger)
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: postgres), .init(service: analyzer), .init(service: server)],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        do {
            try await group.run()
        } catch {
            throw ExitMessage.line(for: error, database: url)
        }
    }
}

import ArgumentParser
import HindsightCore
import HindsightStore
import HindsightWorkers
import Logging
import PostgresNIO
import ServiceLifecycle
import UnixSignals

/// `hindsight adapter`: answer plan.optimize, recovery.strategy and estimate requests from cached
/// insights; any number of replicas share the request queue.
struct AdapterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "adapter",
        abstract: "Answer plan optimization, recovery and estimate requests over AMQP (settings: HINDSIGHT_ADAPTER_*).")

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var observability: ObservabilityOptions

    func run() async throws {
        let registry = try Bootstrap.run()
        let logger = Logger(label: "hindsight.adapter")
        let url = try connection.database(role: .adapter)
        let amqp = try connection.amqp(connectionName: "hindsight-adapter")
        let observabilityConfiguration: ObservabilityServer.Configuration
        let configuration: Adapter.Configuration
        do {
            configuration = try Adapter.Configuration(environment: EnvironmentReader())
            observabilityConfiguration = try observability.configuration()
        } catch {
            throw ExitMessage.line(for: error)
        }
        logger.info("adapter.starting", metadata: [
            "db.url": "\(url)", "amqp": "\(amqp)", "adapter.config": "\(configuration)",
        ])
        let postgres = PostgresClient(configuration: url.clientConfiguration, backgroundLogger: logger)
        let health = HealthState()
        let metrics = AdapterMetrics()
        let cache = InsightsCache(
            loader: StoreKnowledgeLoader(client: postgres, logger: logger), metrics: metrics, health: health, logger: logger)
        let similar = SimilarExecutions(client: postgres, logger: logger)
        let processor = AdapterRequestProcessor(cache: cache, configuration: configuration) { request in
            do {
                return try await similar.find(
                    goal: request.goal, domain: request.domain, crossDomain: request.options.crossDomain,
                    excluding: request.executionID)
            } catch {
                logger.debug("adapter.similar.failed", metadata: ["error.message": "\(String(describing: error))"])
                return []
            }
        }
        let refreshInterval = configuration.refreshInterval
        let adapter = AdapterService(
            configuration: configuration, amqp: amqp, cache: cache, processor: processor,
            refresh: { await cache.run(listeningOn: postgres, interval: refreshInterval) },
            health: health, metrics: metrics, logger: logger)
        let server = ObservabilityServer(
            configuration: observabilityConfiguration, registry: registry, health: health, logger: logger)
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: postgres), .init(service: adapter), .init(service: server)],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        do {
            try await group.run()
        } catch {
            throw ExitMessage.line(for: error, database: url)
        }
    }
}

package import AMQP
import Foundation
import HindsightAgent
import HindsightCore
package import HindsightStore
import HindsightWorkers
package import Logging
import PostgresNIO
import ServiceLifecycle

/// A private learning cluster in this process: trackers consuming a private events exchange into
/// `database`, an adapter answering on a private RPC exchange from that database's insights (reloaded
/// on the analyzer's `NOTIFY`), and a ``StoreLearningCluster`` running the analyzer between rounds.
///
/// Private exchange and queue names (fresh per run, expiring an hour after last use) keep concurrent
/// runs — tests, benchmarks, the shared services' own trackers — from seeing each other's messages.
package enum LocalLearningCluster {
    /// What a fleet needs to use the cluster.
    package struct Setup: Sendable {
        package var eventsExchange: String
        package var adapterExchange: String
        package var adapterRoutingKey: String
        package var cluster: StoreLearningCluster

        /// `configuration` aimed at this cluster's exchanges.
        package func aim(_ configuration: LearningFleet.Configuration) -> LearningFleet.Configuration {
            var aimed = configuration
            aimed.eventsExchange = eventsExchange
            aimed.adapterExchange = adapterExchange
            aimed.adapterRoutingKey = adapterRoutingKey
            return aimed
        }
    }

    /// Runs the cluster while `body` runs, then shuts it down gracefully and deletes its queues.
    ///
    /// - Parameters:
    ///   - database: a migrated database; the trackers, the adapter and the analyzer all use this URL
    ///     (the schema owner in tests and benchmarks).
    ///   - domains: the domains `learn()` waits for.
    package static func run<T: Sendable>(
        database: DatabaseURL, amqp: AMQPConfiguration, domains: [String], trackers: Int = 2, logger: Logger,
        _ body: @escaping @Sendable (Setup) async throws -> T
    ) async throws -> T {
        let suffix = UUID().uuidString.prefix(8).lowercased()
        let eventsExchange = "hindsight.sim-events.\(suffix)"
        let trackerQueue = "hindsight.sim-tracker.\(suffix)"
        let rpcExchange = "hindsight.sim-rpc.\(suffix)"
        let adapterQueue = "hindsight.sim-adapter.\(suffix)"
        var setupAMQP = amqp
        setupAMQP.connectionName = "hindsight-simulation-setup"
        let connection = try await AMQPConnection.connect(setupAMQP, logger: logger)
        do {
            try await connection.declareExchange(eventsExchange, type: .topic, durable: false, autoDelete: false)
            var options = Topology.trackerQueueOptions()
            options.arguments["x-expires"] = .int(3_600_000)
            try await connection.declareQueue(trackerQueue, options: options)
            try await connection.bindQueue(trackerQueue, exchange: eventsExchange, routingKey: "#")
            try await connection.declareExchange(WireContract.deadLetterExchange, type: .topic)
            try await connection.declareExchange(rpcExchange, type: .direct, durable: false, autoDelete: false)
            try await connection.declareQueue(adapterQueue, options: QueueOptions(durable: false, arguments: ["x-expires": .int(3_600_000)]))
            try await connection.bindQueue(adapterQueue, exchange: rpcExchange, routingKey: AdapterEnvelope.routingKey)
        } catch {
            await connection.closeAndWait()
            throw error
        }

        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        var trackerSettings = TrackerService.Configuration()
        trackerSettings.queue = trackerQueue
        trackerSettings.declareTopology = false
        for index in 0..<max(1, trackers) {
            var trackerAMQP = amqp
            trackerAMQP.connectionName = "hindsight-simulation-tracker-\(index)"
            let postgres = PostgresClient(configuration: database.clientConfiguration, backgroundLogger: logger)
            services.append(.init(service: postgres))
            services.append(.init(service: TrackerService(
                configuration: trackerSettings, amqp: trackerAMQP, writer: ConsolidationWriter(client: postgres, logger: logger),
                health: HealthState(), logger: logger)))
        }
        var adapterSettings = Adapter.Configuration()
        adapterSettings.queue = adapterQueue
        adapterSettings.instanceName = "simulation-adapter-\(suffix)"
        var adapterAMQP = amqp
        adapterAMQP.connectionName = "hindsight-simulation-adapter"
        let adapterDatabase = PostgresClient(configuration: database.clientConfiguration, backgroundLogger: logger)
        let cache = InsightsCache(loader: StoreKnowledgeLoader(client: adapterDatabase, logger: logger), logger: logger)
        let interval = adapterSettings.refreshInterval
        services.append(.init(service: adapterDatabase))
        services.append(.init(service: AdapterService(
            configuration: adapterSettings, amqp: adapterAMQP, cache: cache,
            processor: AdapterRequestProcessor(cache: cache, configuration: adapterSettings),
            refresh: { await cache.run(listeningOn: adapterDatabase, interval: interval) }, health: HealthState(),
            declare: { _ in }, logger: logger)))
        let analyzerDatabase = PostgresClient(configuration: database.clientConfiguration, backgroundLogger: logger)
        services.append(.init(service: analyzerDatabase))
        var clusterSettings = StoreLearningCluster.Configuration()
        clusterSettings.adapterExchange = rpcExchange
        var analyzerSettings = Analyzer.Configuration()
        analyzerSettings.instanceName = "simulation-analyzer-\(suffix)"
        clusterSettings.analyzer = analyzerSettings
        let setup = Setup(
            eventsExchange: eventsExchange, adapterExchange: rpcExchange, adapterRoutingKey: AdapterEnvelope.routingKey,
            cluster: StoreLearningCluster(database: analyzerDatabase, amqp: amqp, domains: domains, configuration: clusterSettings, logger: logger))

        let result: Result<T, any Error>
        do {
            result = .success(try await runServices(services, logger: logger) { try await body(setup) })
        } catch {
            result = .failure(error)
        }
        _ = try? await connection.deleteQueue(trackerQueue)
        _ = try? await connection.deleteQueue(adapterQueue)
        try? await connection.deleteExchange(eventsExchange)
        try? await connection.deleteExchange(rpcExchange)
        await connection.closeAndWait()
        return try result.get()
    }

    /// Runs `services` while `body` runs, then shuts them down gracefully.
    private static func runServices<T: Sendable>(
        _ services: [ServiceGroupConfiguration.ServiceConfiguration], logger: Logger, _ body: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        let group = ServiceGroup(configuration: .init(services: services, logger: logger))
        return try await withThrowingTaskGroup(of: T?.self) { tasks in
            tasks.addTask { try await group.run(); return nil }
            tasks.addTask {
                defer { Task { await group.triggerGracefulShutdown() } }
                return try await body()
            }
            var result: T?
            for try await value in tasks where value != nil { result = value }
            guard let result else { throw LearningError("the cluster's services stopped before the fleet finished") }
            return result
        }
    }
}

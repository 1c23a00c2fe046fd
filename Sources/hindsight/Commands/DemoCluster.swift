import AMQP
import Foundation
import HindsightCore
import HindsightStore
import HindsightWorkers
import Logging
import PostgresNIO
import ServiceLifecycle

/// The demo's cluster in one process: a PostgreSQL client per role, the trackers and the adapter, run in
/// one ``ServiceGroup`` (as `hindsight tracker` and `hindsight adapter` run theirs) while the demo's body
/// runs; then a graceful shutdown (trackers commit and acknowledge what they hold, the adapter answers
/// what it took).
struct DemoCluster {
    /// The clients the demo's body may use, each connected as its part's role.
    struct Clients: Sendable {
        /// `hindsight_analyzer`: the analyzer rounds between fleet rounds.
        let analyzer: PostgresClient
        /// `hindsight_analyst`: reads the insights for the final report.
        let analyst: PostgresClient
    }

    let urls: DemoDatabase.URLs
    let amqp: AMQPConfiguration
    let trackers: Int
    let domains: [String]
    let logger: Logger

    /// Declares the broker objects the fleet publishes to and asks through, before anyone publishes: on a
    /// fresh virtual host nothing exists yet, and an event published before its queue is bound is lost.
    static func declareTopology(amqp: AMQPConfiguration, logger: Logger) async throws {
        let connection = try await AMQPConnection.connect(amqp, logger: logger)
        do {
            try await Topology.declareTracker(on: connection)
            try await Topology.declareAdapter(on: connection)
        } catch {
            await connection.closeAndWait()
            throw error
        }
        await connection.closeAndWait()
    }

    /// Runs the cluster, then `body` once the adapter is ready; stops the cluster when `body` returns or
    /// throws, and returns what `body` returned.
    func run<Result: Sendable>(_ body: @escaping @Sendable (Clients) async throws -> Result) async throws -> Result {
        let clients = Clients(
            analyzer: PostgresClient(configuration: urls.analyzer.clientConfiguration, backgroundLogger: logger),
            analyst: PostgresClient(configuration: urls.analyst.clientConfiguration, backgroundLogger: logger))
        let trackerClient = PostgresClient(configuration: urls.tracker.clientConfiguration, backgroundLogger: logger)
        let adapterClient = PostgresClient(configuration: urls.adapter.clientConfiguration, backgroundLogger: logger)
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: clients.analyzer), .init(service: clients.analyst), .init(service: trackerClient),
            .init(service: adapterClient),
        ]
        for index in 0..<trackers {
            var trackerAMQP = amqp
            trackerAMQP.connectionName = "hindsight-demo-tracker-\(index)"
            services.append(.init(service: TrackerService(
                configuration: .init(), amqp: trackerAMQP, writer: ConsolidationWriter(client: trackerClient, logger: logger),
                health: HealthState(), logger: logger)))
        }
        let adapterHealth = HealthState()
        services.append(.init(service: adapter(client: adapterClient, health: adapterHealth)))
        let group = ServiceGroup(configuration: .init(services: services, logger: logger))
        let logger = self.logger
        return try await withThrowingTaskGroup(of: Result?.self) { tasks in
            tasks.addTask {
                try await group.run()
                return nil
            }
            tasks.addTask {
                do {
                    try await Self.waitUntilReady(adapterHealth)
                    let result = try await body(clients)
                    await group.triggerGracefulShutdown()
                    return result
                } catch {
                    logger.debug("demo.failed", metadata: ["error.message": "\(error)"])
                    await group.triggerGracefulShutdown()
                    throw error
                }
            }
            var result: Result?
            for try await value in tasks where value != nil { result = value }
            guard let result else { throw OneLineError("the demo's cluster stopped before the fleet finished") }
            return result
        }
    }

    /// The adapter as `hindsight adapter` builds it (cache refreshed on `LISTEN hindsight_insights`).
    private func adapter(client: PostgresClient, health: HealthState) -> AdapterService {
        var configuration = Adapter.Configuration()
        configuration.instanceName = "hindsight-demo-adapter"
        let logger = self.logger
        let cache = InsightsCache(loader: StoreKnowledgeLoader(client: client, logger: logger), health: health, logger: logger)
        let similar = SimilarExecutions(client: client, logger: logger)
        let processor = AdapterRequestProcessor(cache: cache, configuration: configuration) { request in
            (try? await similar.find(
                goal: request.goal, domain: request.domain, crossDomain: request.options.crossDomain,
                excluding: request.executionID)) ?? []
        }
        let interval = configuration.refreshInterval
        return AdapterService(
            configuration: configuration, amqp: amqp, cache: cache, processor: processor,
            refresh: { await cache.run(listeningOn: client, interval: interval) }, health: health, logger: logger)
    }

    /// Waits until the adapter has loaded the insights and consumes (its `/ready`), at most 30 s.
    private static func waitUntilReady(_ health: HealthState) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        // "amqp" is set when the service starts: before that an empty health would count as ready.
        while !(health.isReady && health.snapshot.contains { $0.0 == "amqp" }) {
            guard ContinuousClock.now < deadline else {
                throw OneLineError("the adapter did not become ready within 30 s: \(health.snapshot.map { "\($0.0) \($0.1.rawValue)" }.joined(separator: ", "))")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }
}

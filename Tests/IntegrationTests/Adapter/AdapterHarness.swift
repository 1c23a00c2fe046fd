import AMQP
import Foundation
import HindsightAgent
import HindsightCore
import HindsightTesting
import HindsightWorkers
import Logging
import PostgresNIO
import ServiceLifecycle

/// Knowledge handed to the adapter without PostgreSQL: the tests decide exactly what it knows.
struct StaticKnowledgeLoader: DomainKnowledgeLoader {
    var domains: [DomainKnowledge]
    func loadAll() async throws -> [DomainKnowledge] { domains }
    func load(domain: String) async throws -> DomainKnowledge? { domains.first { $0.domain == domain } }
}

/// A private RPC exchange and adapter queue per test (fresh names, so tests never see each other's
/// requests), an in-process `AdapterService` on them, and `AdapterClient`s aimed at the private exchange.
struct AdapterHarness: Sendable {
    let amqp: AMQPConfiguration
    let connection: AMQPConnection
    let exchange: String
    let queue: String
    let logger: Logger

    init() async throws {
        var logger = Logger(label: "hindsight.tests.adapter")
        logger.logLevel = TestEnvironment.value("HINDSIGHT_TEST_LOG") == nil ? .warning : .trace
        self.logger = logger
        let suffix = UUID().uuidString.prefix(8).lowercased()
        exchange = "hindsight.test-rpc.\(suffix)"
        queue = "hindsight.test-adapter.\(suffix)"
        var amqp = try AMQPConfiguration(url: TestEnvironment.amqpURL)
        amqp.connectionName = "adapter-tests"
        self.amqp = amqp
        connection = try await AMQPConnection.connect(amqp, logger: logger)
        // Declared here (not by the service), so requests sent before an adapter runs wait in the queue.
        try await connection.declareExchange(exchange, type: .direct, durable: false, autoDelete: false)
        try await connection.declareQueue(queue, options: QueueOptions(durable: false, arguments: ["x-expires": .int(3_600_000)]))
        try await connection.bindQueue(queue, exchange: exchange, routingKey: AdapterEnvelope.routingKey)
    }

    /// A client on the harness's connection, aimed at the private exchange.
    var client: AdapterClient { AdapterClient(connection: connection, exchange: exchange) }

    /// A client on a connection of its own (closed by the caller).
    func ownClient() async throws -> (AdapterClient, AMQPConnection) {
        let connection = try await AMQPConnection.connect(amqp, logger: logger)
        return (AdapterClient(connection: connection, exchange: exchange), connection)
    }

    /// The adapter's settings for this harness.
    func configuration(instance: String = "adapter-test") -> Adapter.Configuration {
        var configuration = Adapter.Configuration()
        configuration.queue = queue
        configuration.instanceName = instance
        configuration.refreshInterval = .seconds(3600)
        return configuration
    }

    /// Runs an in-process adapter serving `knowledge` while `body` runs, then shuts it down gracefully.
    func withAdapter<T: Sendable>(
        knowledge: [DomainKnowledge], configuration: Adapter.Configuration? = nil, _ body: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        try await withAdapter(loader: StaticKnowledgeLoader(domains: knowledge), configuration: configuration) { _ in try await body() }
    }

    /// Runs an in-process adapter whose cache reads through `loader` (e.g. PostgreSQL) while `body` runs;
    /// `body` gets the cache, to reload it when the test changed what the loader sees.
    ///
    /// - Parameters:
    ///   - metrics: where the service records its metrics (a test's own factory to read them).
    ///   - logger: the service's logger (a test's recording one to read what it logged).
    ///   - listeningOn: a client whose `LISTEN hindsight_insights` reloads a notified domain, as deployed.
    func withAdapter<T: Sendable>(
        loader: some DomainKnowledgeLoader, configuration: Adapter.Configuration? = nil, metrics: AdapterMetrics = AdapterMetrics(),
        logger: Logger? = nil, listeningOn: PostgresClient? = nil,
        _ body: @escaping @Sendable (InsightsCache) async throws -> T
    ) async throws -> T {
        let configuration = configuration ?? self.configuration()
        let logger = logger ?? self.logger
        let cache = InsightsCache(loader: loader, metrics: metrics, logger: logger)
        let interval = configuration.refreshInterval
        let service = AdapterService(
            configuration: configuration, amqp: amqp, cache: cache,
            processor: AdapterRequestProcessor(cache: cache, configuration: configuration),
            refresh: { await cache.run(listeningOn: listeningOn, interval: interval) }, health: HealthState(),
            metrics: metrics, declare: { _ in }, logger: logger)
        return try await withServices([.init(service: service)], logger: logger) { try await body(cache) }
    }

    func cleanUp() async {
        _ = try? await connection.deleteQueue(queue)
        try? await connection.deleteExchange(exchange)
        await connection.closeAndWait()
    }
}

/// Domain knowledge computed by the learning core from the simulated fleet (the analyzer stores the same).
enum AdapterFixtures {
    static let domain = "data-processing"
    static let phases = ["analysis", "extraction", "transformation", "validation", "loading", "reporting"]

    static let knowledge: DomainKnowledge = {
        var simulator = FleetSimulator(seed: 11)
        let start = WireFormat.currentMicros() - 6 * 3_600_000_000
        var events: [WireEvent] = []
        for i in 0..<60 { events += simulator.execution(startingAt: start + Int64(i) * 120_000_000, domainIndex: 0) }
        let traces = Dictionary(grouping: events, by: \.executionID).values.compactMap(ExecutionTrace.fromWireEvents)
            .sorted { $0.startTime < $1.startTime }
        let insights = PerformanceAnalyzer().analyze(traces, domain: domain)
        return DomainKnowledge(
            domain: domain, insights: insights,
            recovery: [.init(failureType: "timeout", strategy: "retry", attempts: 20, successes: 2),
                       .init(failureType: "timeout", strategy: "skip", attempts: 20, successes: 19)],
            computedAt: Date(timeIntervalSince1970: 1_796_000_000))
    }()

    /// The fleet's phases in reverse order, with estimates far from what was measured.
    static var optimizeRequest: PlanOptimizeRequest {
        PlanOptimizeRequest(
            domain: domain, goal: "Clean and aggregate sales data",
            plan: phases.reversed().map { RPCPlanPhase(name: $0, estimatedSeconds: 5) })
    }

    static var estimateRequest: EstimateRequest {
        EstimateRequest(domain: domain, plan: phases.map { RPCPlanPhase(name: $0, estimatedSeconds: 5) } + [RPCPlanPhase(name: "new-step")])
    }

    static var recoveryRequest: RecoveryStrategyRequest {
        RecoveryStrategyRequest(
            domain: domain, phase: "transformation", errorType: "TimeoutError", message: "Query timed out after 30 seconds",
            attempt: 1, elapsedSeconds: 31)
    }
}

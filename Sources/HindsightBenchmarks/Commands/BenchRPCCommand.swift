import AMQP
import ArgumentParser
import Foundation
import HindsightAgent
import HindsightCore
import HindsightTesting
import HindsightWorkers
import Histogram
import Logging
import ServiceLifecycle

/// `hindsight-bench rpc`: the adapter over loopback RabbitMQ, one in-process `AdapterService`.
///
/// 1. `plan.optimize` latency, one client, one request at a time (p50, p99, max), after a warm-up;
/// 2. throughput: 16 clients, each on its own connection with `--in-flight` requests in flight (default 1);
/// 3. RSS (VmRSS, VmHWM) of this process with `domains` domains cached. The adapter runs in-process, so
///    the figure includes the clients and the benchmark: an upper bound of the adapter's own.
///
/// The cache is loaded from memory (knowledge computed by the learning core from the simulated fleet, one
/// analysis per domain), so PostgreSQL is out of the measured path exactly as in production (the adapter
/// never reads insights per request); `plan.optimize` skips the similar-executions query here.
/// A private exchange and queue per run; nothing else shares them.
struct BenchRPC: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rpc",
        abstract: "Adapter RPC: plan.optimize latency (one client), throughput (16 clients), RSS with 100 domains cached.")

    @OptionGroup var connection: BenchConnectionOptions

    @Option(help: "Measured requests of the one-client latency run.")
    var requests: Int = 5000

    @Option(help: "Concurrent clients of the throughput run.")
    var clients: Int = 16

    @Option(help: "Requests per client in the throughput run.")
    var perClient: Int = 2000

    @Option(help: "Requests each throughput client keeps in flight.")
    var inFlight: Int = 1

    @Option(help: "Domains in the adapter's cache.")
    var domains: Int = 100

    @Option(help: "Adapter prefetch (most requests handled at once).")
    var prefetch: Int = Adapter.Configuration().prefetch

    struct Report: Codable {
        var domains: Int
        var latencyRequests: Int
        var p50Milliseconds: Double
        var p99Milliseconds: Double
        var maxMilliseconds: Double
        var clients: Int
        var throughputRequests: Int
        var requestsPerSecond: Double
        var rssMiB: Double
        var peakRSSMiB: Double
    }

    func run() async throws {
        let logger = {
            var logger = Logger(label: "hindsight.bench.rpc")
            logger.logLevel = .warning
            return logger
        }()
        let amqp = try connection.amqp(connectionName: "bench-rpc")
        let knowledge = Self.knowledge(domains: domains)
        let suffix = UUID().uuidString.prefix(8).lowercased()
        let exchange = "hindsight.bench-rpc.\(suffix)", queue = "hindsight.bench-adapter.\(suffix)"
        let admin = try await AMQPConnection.connect(amqp, logger: logger)
        try await admin.declareExchange(exchange, type: .direct, durable: false)
        try await admin.declareQueue(queue, options: QueueOptions(durable: false, arguments: ["x-expires": .int(600_000)]))
        try await admin.bindQueue(queue, exchange: exchange, routingKey: AdapterEnvelope.routingKey)

        var configuration = Adapter.Configuration()
        configuration.queue = queue
        configuration.prefetch = prefetch
        configuration.instanceName = "bench"
        configuration.refreshInterval = .seconds(3600)
        let cache = InsightsCache(loader: Loader(domains: knowledge), logger: logger)
        let settings = configuration
        let service = AdapterService(
            configuration: configuration, amqp: amqp, cache: cache,
            processor: AdapterRequestProcessor(cache: cache, configuration: configuration),
            refresh: { await cache.run(listeningOn: nil, interval: settings.refreshInterval) }, health: HealthState(),
            declare: { _ in }, logger: logger)
        let (requests, clients, perClient, domains, inFlight) = (self.requests, self.clients, self.perClient, self.domains, max(1, self.inFlight))
        let report = try await withServices([.init(service: service)], logger: logger) {
            let client = AdapterClient(connection: admin, exchange: exchange)
            let plan = Self.request(domain: "domain-0")
            for _ in 0..<500 { _ = try await client.optimize(plan) }  // warm-up (and waits for the first load)
            var micros = Histogram<UInt64>(numberOfSignificantValueDigits: .three)
            for i in 0..<requests {
                let request = Self.request(domain: "domain-\(i % domains)")
                let start = ContinuousClock.now
                _ = try await client.optimize(request)
                let (s, atto) = (ContinuousClock.now - start).components
                micros.record(UInt64(s * 1_000_000 + atto / 1_000_000_000_000))
            }
            let connections = try await withThrowingTaskGroup(of: AMQPConnection.self) { group in
                for _ in 0..<clients { group.addTask { try await AMQPConnection.connect(amqp, logger: logger) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let started = ContinuousClock.now
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (c, connection) in connections.enumerated() {
                    group.addTask {
                        let client = AdapterClient(connection: connection, exchange: exchange)
                        try await withThrowingTaskGroup(of: Void.self) { lanes in
                            for lane in 0..<inFlight {
                                lanes.addTask {
                                    for i in stride(from: lane, to: perClient, by: inFlight) {
                                        _ = try await client.optimize(Self.request(domain: "domain-\((c * perClient + i) % domains)"), timeout: .seconds(30))
                                    }
                                }
                            }
                            try await lanes.waitForAll()
                        }
                    }
                }
                try await group.waitForAll()
            }
            let elapsed = ContinuousClock.now - started
            let (s, atto) = elapsed.components
            let seconds = Double(s) + Double(atto) / 1e18
            for connection in connections { await connection.closeAndWait() }
            let pid = ProcessInfo.processInfo.processIdentifier
            return Report(
                domains: domains, latencyRequests: requests, p50Milliseconds: Double(micros.valueAtPercentile(50)) / 1000,
                p99Milliseconds: Double(micros.valueAtPercentile(99)) / 1000, maxMilliseconds: Double(micros.max) / 1000,
                clients: clients, throughputRequests: clients * perClient, requestsPerSecond: Double(clients * perClient) / seconds,
                rssMiB: (Self.statusKiB("VmRSS", pid: pid) ?? 0) / 1024, peakRSSMiB: (Self.statusKiB("VmHWM", pid: pid) ?? 0) / 1024)
        }
        _ = try? await admin.deleteQueue(queue)
        try? await admin.deleteExchange(exchange)
        await admin.closeAndWait()
        print(String(format: "adapter: %d domains cached, prefetch %d, in-process, loopback broker", report.domains, prefetch))
        print(String(format: "plan.optimize latency, 1 client, %d requests: p50 %.3f ms (target < 2 ms, ratio %.2f), p99 %.3f ms (target < 10 ms, ratio %.2f), max %.3f ms",
                     report.latencyRequests, report.p50Milliseconds, report.p50Milliseconds / 2, report.p99Milliseconds,
                     report.p99Milliseconds / 10, report.maxMilliseconds))
        print(String(format: "throughput, %d clients x %d requests (%d in flight each): %.0f req/s (target >= 5000, ratio %.2f)",
                     report.clients, perClient, inFlight, report.requestsPerSecond, report.requestsPerSecond / 5000))
        print(String(format: "RSS of the process (adapter + clients): %.1f MiB now, peak %.1f MiB (target < 150 MB = 143.1 MiB, ratio %.2f)",
                     report.rssMiB, report.peakRSSMiB, report.peakRSSMiB * 1_048_576 / 150_000_000))
    }

    /// A plan.optimize request over the fleet's phases, reversed (so the engine has something to reorder).
    static func request(domain: String) -> PlanOptimizeRequest {
        PlanOptimizeRequest(
            domain: domain, goal: "Clean and aggregate sales data",
            plan: ["reporting", "loading", "validation", "transformation", "extraction", "analysis"].map { RPCPlanPhase(name: $0, estimatedSeconds: 30) })
    }

    /// `count` domains, each analysed separately by the core from 60 simulated executions of one profile.
    static func knowledge(domains count: Int) -> [DomainKnowledge] {
        let start = WireFormat.currentMicros() - 6 * 3_600_000_000
        return (0..<count).map { d in
            var simulator = FleetSimulator(seed: UInt64(d + 1))
            var events: [WireEvent] = []
            for i in 0..<60 { events += simulator.execution(startingAt: start + Int64(i) * 120_000_000, domainIndex: 0) }
            let traces = Dictionary(grouping: events, by: \.executionID).values.compactMap(ExecutionTrace.fromWireEvents)
                .sorted { $0.startTime < $1.startTime }
            return DomainKnowledge(
                domain: "domain-\(d)", insights: PerformanceAnalyzer().analyze(traces, domain: "domain-\(d)"),
                recovery: [.init(failureType: "timeout", strategy: "retry", attempts: 20, successes: 5)], computedAt: Date())
        }
    }

    static func statusKiB(_ field: String, pid: Int32) -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(field + ":") {
            return Double(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
        }
        return nil
    }

    struct Loader: DomainKnowledgeLoader {
        var domains: [DomainKnowledge]
        func loadAll() async throws -> [DomainKnowledge] { domains }
        func load(domain: String) async throws -> DomainKnowledge? { domains.first { $0.domain == domain } }
    }
}

import AMQP
import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif
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
/// 2. throughput: 16 clients, each with `--in-flight` requests in flight (default 1), multiplexed over
///    `--connections` client connections (default 2). The throughput clients are lean so that they do not
///    take the CPU the adapter needs (on 2 cores they share it with the adapter and the broker): each
///    request body is encoded once per domain, and a reply is checked for its correlation id (the RPC
///    client matches it) and `"ok":true` instead of being decoded (the agent's decoding runs on the
///    agent's machine). Reports the CPU per request of this process and, with `--broker-pid`, of the broker;
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

    @Option(help: "Connections the throughput clients are multiplexed over.")
    var connections: Int = 2

    @Option(help: "PID of the broker (beam.smp), to report its CPU per request.")
    var brokerPid: Int32?

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
        var processCPUMicrosPerRequest: Double
        var brokerCPUMicrosPerRequest: Double?
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
        let (connectionCount, brokerPid) = (self.connections, self.brokerPid)
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
                for _ in 0..<max(1, connectionCount) { group.addTask { try await AMQPConnection.connect(amqp, logger: logger) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let bodies = (0..<domains).map { AdapterEnvelope.body(Self.request(domain: "domain-\($0)")) }
            let cpuBefore = processCPUSeconds(), brokerBefore = brokerPid.flatMap(Self.cpuSeconds(pid:))
            let started = ContinuousClock.now
            try await withThrowingTaskGroup(of: Void.self) { group in
                for c in 0..<clients {
                    let rpc = AMQPRPCClient(connection: connections[c % connections.count], exchange: exchange)
                    for lane in 0..<inFlight {
                        group.addTask {
                            for i in stride(from: lane, to: perClient, by: inFlight) {
                                let properties = AdapterEnvelope.properties(
                                    method: .planOptimize, timeout: .seconds(30), nowMilliseconds: AdapterEnvelope.nowMilliseconds())
                                let reply = try await rpc.call(
                                    routingKey: AdapterEnvelope.routingKey, body: bodies[(c * perClient + i) % domains],
                                    properties: properties, timeout: .seconds(30))
                                guard Self.isSuccess(reply.body) else {
                                    throw ValidationError("plan.optimize failed: \(String(decoding: reply.body.prefix(300), as: UTF8.self))")
                                }
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
            let elapsed = ContinuousClock.now - started
            let cpu = processCPUSeconds() - cpuBefore
            let brokerCPU = brokerBefore.flatMap { before in brokerPid.flatMap(Self.cpuSeconds(pid:)).map { $0 - before } }
            let (s, atto) = elapsed.components
            let seconds = Double(s) + Double(atto) / 1e18
            for connection in connections { await connection.closeAndWait() }
            let pid = ProcessInfo.processInfo.processIdentifier
            return Report(
                domains: domains, latencyRequests: requests, p50Milliseconds: Double(micros.valueAtPercentile(50)) / 1000,
                p99Milliseconds: Double(micros.valueAtPercentile(99)) / 1000, maxMilliseconds: Double(micros.max) / 1000,
                clients: clients, throughputRequests: clients * perClient, requestsPerSecond: Double(clients * perClient) / seconds,
                processCPUMicrosPerRequest: cpu * 1e6 / Double(clients * perClient),
                brokerCPUMicrosPerRequest: brokerCPU.map { $0 * 1e6 / Double(clients * perClient) },
                rssMiB: (Self.statusKiB("VmRSS", pid: pid) ?? 0) / 1024, peakRSSMiB: (Self.statusKiB("VmHWM", pid: pid) ?? 0) / 1024)
        }
        _ = try? await admin.deleteQueue(queue)
        try? await admin.deleteExchange(exchange)
        await admin.closeAndWait()
        print(String(format: "adapter: %d domains cached, prefetch %d, in-process, loopback broker", report.domains, prefetch))
        print(String(format: "plan.optimize latency, 1 client, %d requests: p50 %.3f ms (target < 2 ms, ratio %.2f), p99 %.3f ms (target < 10 ms, ratio %.2f), max %.3f ms",
                     report.latencyRequests, report.p50Milliseconds, report.p50Milliseconds / 2, report.p99Milliseconds,
                     report.p99Milliseconds / 10, report.maxMilliseconds))
        print(String(format: "throughput, %d clients x %d requests (%d in flight each, %d connections): %.0f req/s (target >= 5000, ratio %.2f)",
                     report.clients, perClient, inFlight, connections, report.requestsPerSecond, report.requestsPerSecond / 5000))
        print(String(format: "CPU per request (throughput run): this process (adapter + lean clients) %.0f µs", report.processCPUMicrosPerRequest)
              + (report.brokerCPUMicrosPerRequest.map { String(format: ", broker %.0f µs", $0) } ?? " (broker: pass --broker-pid)")
              + String(format: "; %d cores", ProcessInfo.processInfo.activeProcessorCount))
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

    /// Whether a reply body is a success (`"ok":true`), without decoding it.
    static func isSuccess(_ body: [UInt8]) -> Bool {
        let needle = Array(#""ok":true"#.utf8)
        guard body.count >= needle.count else { return false }
        for start in 0...(body.count - needle.count) where body[start] == needle[0] {
            if body[start..<(start + needle.count)].elementsEqual(needle) { return true }
        }
        return false
    }

    /// User + system CPU seconds of another process (`/proc/<pid>/stat`, fields 14 and 15, in clock ticks).
    static func cpuSeconds(pid: Int32) -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return nil }
        // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
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

import AMQP
import Foundation
import HindsightAgent
import HindsightCore
import Logging
import Synchronization
import Testing

/// Shared helpers: the broker from `HINDSIGHT_AMQP_URL` (default: the local services), unique
/// names, temporary spool paths, and events.
enum AgentTestSupport {
    static let defaultURL = "amqp://hindsight:hindsight@127.0.0.1:5673/hindsight"

    static var url: String { ProcessInfo.processInfo.environment["HINDSIGHT_AMQP_URL"] ?? defaultURL }

    static var logger: Logger {
        var logger = Logger(label: "agent-tests")
        logger.logLevel = ProcessInfo.processInfo.environment["HINDSIGHT_TEST_LOG"] == nil ? .critical : .trace
        return logger
    }

    /// The broker, with short connect and reconnect delays.
    static func broker(name: String) throws -> AMQPConfiguration {
        var configuration = try AMQPConfiguration(url: url)
        configuration.connectionName = name
        configuration.connectTimeout = .seconds(3)
        configuration.reconnect = .init(enabled: true, initialDelay: .milliseconds(50), maximumDelay: .milliseconds(200))
        return configuration
    }

    /// The broker reached through `proxy`.
    static func broker(through proxy: TCPProxy, name: String) throws -> AMQPConfiguration {
        var configuration = try broker(name: name)
        configuration.host = "127.0.0.1"
        configuration.port = Int(proxy.port)
        return configuration
    }

    /// A proxy (down) in front of the broker.
    static func proxy() throws -> TCPProxy {
        let configuration = try AMQPConfiguration(url: url)
        return try TCPProxy(targetHost: configuration.host, targetPort: configuration.port)
    }

    static func unique(_ prefix: String) -> String {
        "\(prefix).\(UUID().uuidString.prefix(8).lowercased())"
    }

    /// A spool path in a fresh temporary folder (the folder does not exist yet).
    static func spoolPath() -> String {
        FileManager.default.temporaryDirectory
            .appendingPathComponent("hindsight-agent-tests-\(UUID().uuidString.lowercased())")
            .appendingPathComponent("events.spool").path
    }

    static func removeSpool(_ path: String) {
        try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent)
    }

    /// One valid execution of `count` events (start, tool uses, completion), timestamped now.
    static func execution(events count: Int, domain: String = "agent-tests") -> [WireEvent] {
        var recorder = ExecutionRecorder(domain: domain)
        let now = WireFormat.currentMicros() - 60_000_000
        recorder.start(goal: "test the agent library", plan: ["work"], agentID: "agent-tests", at: now)
        for index in 0..<max(0, count - 2) {
            recorder.toolUsed("tool-\(index % 5)", durationMs: Double(index), phase: "work", at: now + Int64(index) + 1)
        }
        if count > 1 { recorder.complete(status: "completed", at: now + Int64(count)) }
        return recorder.events
    }

    /// The event ids of the deliveries that decode (a stop condition for ``TestSink/read(limit:until:)``).
    static func idSet(_ deliveries: [Delivery]) -> Set<UUID> {
        Set((try? eventIDs(deliveries)) ?? [])
    }

    /// Every event id of the decoded deliveries, in arrival order (batch members in batch order).
    static func eventIDs(_ deliveries: [Delivery]) throws -> [UUID] {
        try deliveries.flatMap { try WireFormat.decode($0.body).map(\.eventID) }
    }
}

/// A test exchange with one queue bound to everything, so published messages can be read back
/// without touching the shared `hindsight.events` exchange (whose queues trackers consume).
struct TestSink {
    let connection: AMQPConnection
    let exchange: String
    let queue: String

    static func open(_ name: String) async throws -> TestSink {
        let configuration = try AgentTestSupport.broker(name: name)
        let connection: AMQPConnection
        do {
            connection = try await AMQPConnection.connect(configuration, logger: AgentTestSupport.logger)
        } catch {
            Issue.record("RabbitMQ is not reachable at \(configuration.redactedURL): \(error). Start it with `scripts/services up` or set HINDSIGHT_AMQP_URL.")
            throw error
        }
        let exchange = AgentTestSupport.unique("agent-tests.\(name)")
        try await connection.declareExchange(exchange, type: .topic, durable: false)
        try await connection.declareQueue(exchange, options: QueueOptions(durable: false, arguments: ["x-expires": 300_000]))
        try await connection.bindQueue(exchange, exchange: exchange, routingKey: "#")
        return TestSink(connection: connection, exchange: exchange, queue: exchange)
    }

    /// Reads (and acknowledges) deliveries until `done` holds for all read so far.
    ///
    /// - Throws: When `limit` passes first (a safety net against a hanging test, not a measurement).
    func read(limit: Duration = .seconds(30), until done: @escaping @Sendable ([Delivery]) -> Bool) async throws -> [Delivery] {
        let consumer = try await connection.consume(queue: queue, prefetch: 1000)
        let received = Received()
        let finished = try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                for try await delivery in consumer {
                    consumer.ack(delivery)
                    if done(received.append(delivery)) { return true }
                }
                return false
            }
            group.addTask {
                try await Task.sleep(for: limit)
                return false
            }
            defer { group.cancelAll() }
            return try await group.next() ?? false
        }
        await consumer.cancelAndWait()
        let all = received.all
        guard finished else {
            throw TCPProxy.Failure(description: "read \(all.count) deliveries from \(queue) before the \(limit) limit")
        }
        return all
    }

    /// Deliveries collected by the reading task.
    private final class Received: Sendable {
        private let list = Mutex<[Delivery]>([])

        /// Appends and returns everything received so far.
        func append(_ delivery: Delivery) -> [Delivery] {
            list.withLock { list in
                list.append(delivery)
                return list
            }
        }

        var all: [Delivery] { list.withLock { $0 } }
    }

    /// Ready messages in the queue right now.
    func readyCount() async throws -> UInt32 {
        try await connection.inspectQueue(queue).messageCount
    }

    func close() async {
        _ = try? await connection.deleteQueue(queue)
        try? await connection.deleteExchange(exchange)
        await connection.closeAndWait()
    }
}

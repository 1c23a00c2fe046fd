import AMQP
import Foundation
import HindsightAgent
import HindsightCore
import HindsightStore
import HindsightWorkers
import Logging
import PostgresNIO
import ServiceLifecycle
import Testing

/// A private tracker queue, its dead-letter capture queue, and helpers to publish to it and read what
/// the trackers stored. Each test gets fresh queue names and execution ids, so tests share the
/// `hindsight` database without seeing each other's rows.
final class TrackerHarness: Sendable {
    let queue: String
    let deadLetters: String
    let amqp: AMQPConfiguration
    let database: DatabaseURL
    let connection: AMQPConnection
    let logger: Logger

    static let projectRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    init() async throws {
        var logger = Logger(label: "hindsight.tests.tracker")
        logger.logLevel = ProcessInfo.processInfo.environment["HINDSIGHT_TEST_LOG"] == nil ? .warning : .trace
        self.logger = logger
        let suffix = UUID().uuidString.prefix(8).lowercased()
        queue = "hindsight.test-tracker.\(suffix)"
        deadLetters = "hindsight.test-dead.\(suffix)"
        var amqp = try AMQPConfiguration(url: ProcessInfo.processInfo.environment[AMQPConfiguration.environmentKey]
                                        ?? AMQPConfiguration.defaultURL)
        amqp.connectionName = "tracker-tests"
        self.amqp = amqp
        database = try StoreTestSupport.ownerURL
        do {
            connection = try await AMQPConnection.connect(amqp, logger: logger)
        } catch {
            Issue.record("RabbitMQ is needed (scripts/services up): \(error)")
            throw error
        }
        var options = Topology.trackerQueueOptions()
        options.arguments["x-expires"] = .int(900_000)
        try await connection.declareExchange(Topology.deadLetterExchange, type: .topic)
        try await connection.declareQueue(queue, options: options)
        try await connection.declareQueue(deadLetters, options: QueueOptions(kind: .classic, arguments: ["x-expires": .int(900_000)]))
        // The tracker republishes dead letters with the original routing key: the queue name here.
        try await connection.bindQueue(deadLetters, exchange: Topology.deadLetterExchange, routingKey: queue)
        try await StoreTestSupport.withClient(database) { client in
            _ = try await Migrator(client: client, logger: logger).migrate()
        }
    }

    func cleanUp() async {
        _ = try? await connection.deleteQueue(queue)
        _ = try? await connection.deleteQueue(deadLetters)
        await connection.close()
    }

    var trackerConfiguration: TrackerService.Configuration {
        var configuration = TrackerService.Configuration()
        configuration.queue = queue
        configuration.declareTopology = false
        configuration.prefetch = 2000
        // Small enough that batches split on the event bound (deliveries go back to the inbox).
        configuration.batchEvents = 300
        configuration.batchDelay = .milliseconds(5)
        configuration.maxBackoff = .milliseconds(500)
        return configuration
    }

    /// Publishes each event as a single-event message straight to the test queue.
    func publish(_ events: [WireEvent]) async throws {
        try await publish(bodies: events.map { WireFormat.encode($0) })
    }

    func publish(bodies: [[UInt8]], headers: AMQPTable = ["hindsight-schema": .int(1)]) async throws {
        var properties = AMQPProperties()
        properties.contentType = "application/json"
        properties.deliveryMode = .persistent
        properties.headers = headers
        for start in stride(from: 0, to: bodies.count, by: 500) {
            let chunk = bodies[start..<min(start + 500, bodies.count)]
            try await connection.publishBatch(chunk.map {
                AMQPMessage(routingKey: queue, body: $0, properties: properties)
            })
        }
    }

    /// Runs `count` in-process trackers while `body` runs, then shuts them down gracefully.
    func withTrackers<T: Sendable>(_ count: Int = 1, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let postgres = PostgresClient(configuration: database.clientConfiguration, backgroundLogger: logger)
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: postgres)]
        for index in 0..<count {
            var amqp = self.amqp
            amqp.connectionName = "tracker-test-\(index)"
            services.append(.init(service: TrackerService(
                configuration: trackerConfiguration, amqp: amqp,
                writer: ConsolidationWriter(client: postgres, logger: logger), health: HealthState(), logger: logger)))
        }
        return try await withServices(services, logger: logger, body)
    }

    /// Waits until `expected` raw events of `executions` are stored (fails after `timeout`).
    func waitForEvents(_ expected: Int, of executions: [UUID], timeout: Duration = .seconds(120)) async throws {
        let deadline = ContinuousClock.now + timeout
        var stored = -1
        while ContinuousClock.now < deadline {
            stored = (try? await countEvents(of: executions)) ?? -1
            if stored >= expected { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw HarnessError("only \(stored) of \(expected) events stored after \(timeout)")
    }

    func countEvents(of executions: [UUID]) async throws -> Int {
        try await StoreTestSupport.withClient(database) { client in
            let rows = try await client.query(
                "SELECT count(*)::int8 FROM hindsight.events WHERE execution_id = ANY(\(executions))", logger: logger)
            var count = 0
            for try await value in rows.decode(Int64.self) { count = Int(value) }
            return count
        }
    }

    /// A message taken from the dead-letter capture queue.
    struct DeadLetter: Sendable {
        var messageID: String?
        var reason: String
        var detail: String
    }

    /// Publishes messages with their own message ids and headers straight to the test queue.
    func publish(messages: [(id: String, body: [UInt8], headers: AMQPTable)]) async throws {
        try await connection.publishBatch(messages.map { message in
            var properties = AMQPProperties()
            properties.contentType = "application/json"
            properties.deliveryMode = .persistent
            properties.headers = message.headers
            properties.messageID = message.id
            return AMQPMessage(routingKey: queue, body: message.body, properties: properties)
        })
    }

    /// Messages in the dead-letter capture queue, with their reason and detail headers.
    func drainDeadLetters(expecting count: Int, timeout: Duration = .seconds(30)) async throws -> [DeadLetter] {
        let consumer = try await connection.consume(queue: deadLetters, prefetch: 500)
        var found: [DeadLetter] = []
        let deadline = ContinuousClock.now + timeout
        let collected = try await withThrowingTaskGroup(of: [DeadLetter]?.self) { group in
            group.addTask {
                var local: [DeadLetter] = []
                for try await delivery in consumer {
                    local.append(DeadLetter(
                        messageID: delivery.properties.messageID,
                        reason: delivery.headers[AMQPConsumer.reasonHeader]?.stringValue ?? "?",
                        detail: delivery.headers[AMQPConsumer.detailHeader]?.stringValue ?? ""))
                    consumer.ack(delivery)
                    if local.count >= count { return local }
                }
                return local
            }
            group.addTask {
                try await Task.sleep(until: deadline)
                return nil
            }
            let first = try await group.next() ?? nil
            group.cancelAll()
            return first ?? []
        }
        found = collected
        await consumer.close()
        return found
    }
}

struct HarnessError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

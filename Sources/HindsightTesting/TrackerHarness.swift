package import AMQP
package import Foundation
package import HindsightCore
package import HindsightStore
package import HindsightWorkers
package import Logging
package import PostgresNIO
import ServiceLifecycle

/// A private tracker queue, optionally its dead-letter capture queue, and helpers to fill it, run
/// trackers on it (in-process or as a child process) and count what they stored.
///
/// Each harness gets fresh queue names, so tests share the `hindsight` database without seeing each
/// other's rows and benchmark runs never deduplicate against each other. The queue has the tracker
/// queue's arguments (``Topology/trackerQueueOptions()``) and expires an hour after its last use, so an
/// interrupted run leaves nothing behind for long. Messages go through the default exchange with the
/// queue's name as routing key.
package final class TrackerHarness: Sendable {
    /// The private tracker queue.
    package let queue: String
    /// The queue capturing this harness's dead letters (bound to ``WireContract/deadLetterExchange``
    /// with ``queue`` as routing key), when asked for.
    package let deadLetters: String?
    /// The broker settings (trackers get their own connections with these).
    package let amqp: AMQPConfiguration
    /// The database the trackers write to.
    package let database: DatabaseURL
    /// The harness's own connection: declares, fills and inspects.
    package let connection: AMQPConnection
    /// The harness's logger (`HINDSIGHT_TEST_LOG` set: trace, else warning).
    package let logger: Logger

    /// The repository's root (for scripts and the build folder).
    package static let projectRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Declares a fresh private queue (and the dead-letter capture queue) and migrates the database.
    ///
    /// - Parameters:
    ///   - amqp: Broker settings; defaults to ``TestEnvironment/amqpURL``.
    ///   - database: Database; defaults to ``StoreTestSupport/ownerURL``.
    ///   - queuePrefix: Prefix of the queue names.
    ///   - captureDeadLetters: Whether to declare the dead-letter capture queue.
    ///   - migrate: Whether to apply the migrations first.
    ///   - logger: Logger; defaults to one at warning level (trace with `HINDSIGHT_TEST_LOG`).
    /// - Throws: ``HarnessError`` when a service is unreachable, or the broker's or database's error.
    package init(
        amqp: AMQPConfiguration? = nil, database: DatabaseURL? = nil, queuePrefix: String = "hindsight.test-tracker",
        captureDeadLetters: Bool = true, migrate: Bool = true, logger: Logger? = nil
    ) async throws {
        self.logger = logger ?? {
            var logger = Logger(label: "hindsight.tests.tracker")
            logger.logLevel = TestEnvironment.value("HINDSIGHT_TEST_LOG") == nil ? .warning : .trace
            return logger
        }()
        let suffix = UUID().uuidString.prefix(8).lowercased()
        queue = "\(queuePrefix).\(suffix)"
        deadLetters = captureDeadLetters ? "hindsight.test-dead.\(suffix)" : nil
        var configuration: AMQPConfiguration
        if let amqp {
            configuration = amqp
        } else {
            configuration = try AMQPConfiguration(url: TestEnvironment.amqpURL)
            configuration.connectionName = "tracker-tests"
        }
        self.amqp = configuration
        self.database = try database ?? StoreTestSupport.ownerURL
        do {
            connection = try await AMQPConnection.connect(configuration, logger: self.logger)
        } catch {
            throw HarnessError("RabbitMQ is needed (start it with scripts/services up): \(error)")
        }
        var options = Topology.trackerQueueOptions()
        options.arguments["x-expires"] = .int(3_600_000)
        try await connection.declareQueue(queue, options: options)
        if let deadLetters {
            try await connection.declareExchange(WireContract.deadLetterExchange, type: .topic)
            try await connection.declareQueue(
                deadLetters, options: QueueOptions(kind: .classic, arguments: ["x-expires": .int(3_600_000)]))
            // The tracker republishes dead letters with the original routing key: the queue name here.
            try await connection.bindQueue(deadLetters, exchange: WireContract.deadLetterExchange, routingKey: queue)
        }
        if migrate {
            let logger = self.logger
            try await StoreTestSupport.withClient(self.database) { client in
                _ = try await Migrator(client: client, logger: logger).migrate()
            }
        }
    }

    /// Deletes the queues and closes the connection.
    package func cleanUp() async {
        _ = try? await connection.deleteQueue(queue)
        if let deadLetters { _ = try? await connection.deleteQueue(deadLetters) }
        await connection.closeAndWait()
    }

    /// The tests' tracker settings: small batches (so batches split on the event bound), short delays.
    package var trackerConfiguration: TrackerService.Configuration {
        var configuration = TrackerService.Configuration()
        configuration.prefetch = 2000
        configuration.batchEvents = 300
        configuration.batchDelay = .milliseconds(5)
        configuration.maxBackoff = .milliseconds(500)
        return configuration
    }

    // MARK: Filling

    /// Publishes the events as messages of `eventsPerMessage` events (``WireContract/messages(for:eventsPerMessage:)``)
    /// straight to the queue, `chunk` messages per confirmed publish.
    ///
    /// - Returns: The number of messages published.
    @discardableResult
    package func publish(_ events: [WireEvent], eventsPerMessage: Int = 1, chunk: Int = 500) async throws -> Int {
        let messages = WireContract.messages(for: events, eventsPerMessage: eventsPerMessage).map {
            AMQPMessage(routingKey: queue, body: $0.body, properties: Self.properties(headers: $0.headers))
        }
        try await publish(messages, chunk: chunk)
        return messages.count
    }

    /// Publishes raw bodies straight to the queue.
    package func publish(bodies: [[UInt8]], headers: AMQPTable = TrackerHarness.table(WireContract.schemaHeaders)) async throws {
        var properties = Self.properties(headers: [:])
        properties.headers = headers
        try await publish(bodies.map { AMQPMessage(routingKey: queue, body: $0, properties: properties) }, chunk: 500)
    }

    /// Publishes messages with their own message ids and headers straight to the queue.
    package func publish(messages: [(id: String, body: [UInt8], headers: AMQPTable)]) async throws {
        try await connection.publishBatch(messages.map { message in
            var properties = Self.properties(headers: [:])
            properties.headers = message.headers
            properties.messageID = message.id
            return AMQPMessage(routingKey: queue, body: message.body, properties: properties)
        })
    }

    private func publish(_ messages: [AMQPMessage], chunk: Int) async throws {
        for start in stride(from: 0, to: messages.count, by: max(1, chunk)) {
            try await connection.publishBatch(Array(messages[start..<min(start + max(1, chunk), messages.count)]))
        }
    }

    /// The properties of an event message: JSON, persistent, with `headers`.
    package static func properties(headers: [String: WireContract.HeaderValue]) -> AMQPProperties {
        var properties = AMQPProperties()
        properties.contentType = WireContract.contentType
        properties.deliveryMode = .persistent
        properties.headers = table(headers)
        return properties
    }

    /// The contract's headers as an AMQP field table.
    package static func table(_ headers: [String: WireContract.HeaderValue]) -> AMQPTable {
        var table = AMQPTable()
        for (key, value) in headers {
            switch value {
            case .int(let number): table[key] = .int(number)
            case .string(let text): table[key] = .string(text)
            }
        }
        return table
    }

    // MARK: Trackers

    /// Runs `count` in-process trackers on the queue while `body` runs, then shuts them down gracefully.
    ///
    /// Each tracker has its own AMQP connections and its own PostgreSQL pool, as separate processes would.
    ///
    /// - Parameters:
    ///   - count: Trackers.
    ///   - configuration: Their settings (queue and topology declaration are set here); defaults to
    ///     ``trackerConfiguration``.
    ///   - probe: Benchmark instrumentation, shared by the trackers.
    ///   - body: Runs beside the trackers.
    /// - Returns: `body`'s result.
    package func withTrackers<T: Sendable>(
        _ count: Int = 1, configuration: TrackerService.Configuration? = nil, probe: TrackerService.Probe? = nil,
        _ body: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        var settings = configuration ?? trackerConfiguration
        settings.queue = queue
        settings.declareTopology = false
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        for index in 0..<count {
            var amqp = self.amqp
            amqp.connectionName = "\(self.amqp.connectionName ?? "tracker-test")-tracker-\(index)"
            let postgres = PostgresClient(configuration: database.clientConfiguration, backgroundLogger: logger)
            services.append(.init(service: postgres))
            services.append(.init(service: TrackerService(
                configuration: settings, amqp: amqp, writer: ConsolidationWriter(client: postgres, logger: logger),
                health: HealthState(), logger: logger, probe: probe)))
        }
        return try await withServices(services, logger: logger, body)
    }

    /// Runs a `hindsight tracker` child process on the queue while `body` runs, then stops it (SIGTERM).
    ///
    /// - Parameters:
    ///   - binary: The `hindsight` executable.
    ///   - environment: Variables added to the child's environment (database and broker URLs, tracker
    ///     settings); the queue, no topology declaration, metrics on a free loopback port and warning-level
    ///     logs are set here.
    ///   - body: Runs beside the child; receives its process id.
    /// - Returns: `body`'s result and how the child ended.
    package func withChildTracker<T: Sendable>(
        binary: String, environment: [String: String] = [:], _ body: (_ processID: Int32) async throws -> T
    ) async throws -> (result: T, termination: ChildProcess.Termination) {
        var variables = environment
        variables["HINDSIGHT_TRACKER_QUEUE"] = queue
        variables["HINDSIGHT_TRACKER_DECLARE_TOPOLOGY"] = "false"
        variables["HINDSIGHT_METRICS_PORT"] = "0"
        variables["HINDSIGHT_METRICS_HOST"] = "127.0.0.1"
        variables["HINDSIGHT_LOG_LEVEL"] = variables["HINDSIGHT_LOG_LEVEL"] ?? "warning"
        return try await ChildProcess.withRunning(binary, ["tracker"], environment: variables, body)
    }

    // MARK: Counting

    /// Waits until `expected` raw events of `executions` are stored.
    ///
    /// - Throws: ``HarnessError`` after `timeout`.
    package func waitForEvents(_ expected: Int, of executions: [UUID], timeout: Duration = .seconds(120)) async throws {
        let deadline = ContinuousClock.now + timeout
        var stored = -1
        while ContinuousClock.now < deadline {
            stored = (try? await countEvents(of: executions)) ?? -1
            if stored >= expected { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw HarnessError("only \(stored) of \(expected) events stored after \(timeout)")
    }

    /// Raw events stored for `executions`.
    package func countEvents(of executions: [UUID]) async throws -> Int {
        try await StoreTestSupport.withClient(database) { client in
            try await Self.count(
                "SELECT count(*)::int8 FROM hindsight.events WHERE execution_id = ANY(\(executions))", client, logger)
        }
    }

    /// Events counted by the consolidated rows of `executions` (`sum(executions.event_count)`).
    package func consolidatedEventCount(of executions: [UUID]) async throws -> Int {
        try await StoreTestSupport.withClient(database) { client in
            try await Self.consolidatedEventCount(of: executions, client: client, logger: logger)
        }
    }

    /// The same, on a client the caller holds (for polling).
    package static func consolidatedEventCount(of executions: [UUID], client: PostgresClient, logger: Logger) async throws -> Int {
        try await count(
            "SELECT coalesce(sum(event_count), 0)::int8 FROM hindsight.executions WHERE execution_id = ANY(\(executions))",
            client, logger)
    }

    private static func count(_ query: PostgresQuery, _ client: PostgresClient, _ logger: Logger) async throws -> Int {
        let rows = try await client.query(query, logger: logger)
        var count = 0
        for try await value in rows.decode(Int64.self) { count = Int(value) }
        return count
    }

    // MARK: Dead letters

    /// A message taken from the dead-letter capture queue.
    package struct DeadLetter: Sendable {
        /// Its message id.
        package var messageID: String?
        /// ``WireContract/Header/reason``.
        package var reason: String
        /// ``WireContract/Header/detail``.
        package var detail: String
    }

    /// Takes up to `count` messages from the dead-letter capture queue, waiting at most `timeout`.
    package func drainDeadLetters(expecting count: Int, timeout: Duration = .seconds(30)) async throws -> [DeadLetter] {
        guard let deadLetters else { throw HarnessError("this harness does not capture dead letters") }
        let consumer = try await connection.consume(queue: deadLetters, prefetch: 500)
        let deadline = ContinuousClock.now + timeout
        let collected = try await withThrowingTaskGroup(of: [DeadLetter]?.self) { group in
            group.addTask {
                var local: [DeadLetter] = []
                for try await delivery in consumer {
                    local.append(DeadLetter(
                        messageID: delivery.properties.messageID,
                        reason: delivery.headers[WireContract.Header.reason]?.stringValue ?? "?",
                        detail: delivery.headers[WireContract.Header.detail]?.stringValue ?? ""))
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
        consumer.close()
        return collected
    }
}

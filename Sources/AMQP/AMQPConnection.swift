public import Logging

/// A connection to RabbitMQ, served by one dedicated OS thread.
///
/// All rabbitmq-c calls happen on that thread; the async methods here enqueue a command and
/// await its result, so they never block the Swift concurrency pool. The thread sleeps in
/// `poll(2)` on the socket and a wake-up pipe, services heartbeats, and reconnects with
/// exponential backoff and jitter when the connection is lost (broker restart, `rabbitmqctl
/// close_connection`, network failure, missed heartbeats). After a reconnect the topology
/// declared through this connection is declared again and consumers resume.
///
/// ```swift
/// let connection = try await AMQPConnection.connect(try AMQPConfiguration(url: url), logger: logger)
/// try await connection.declareQueue("work", options: .quorum)
/// try await connection.publish(Array("hello".utf8), routingKey: "work")
/// ```
///
/// Keep the connection referenced while you use it (consumers keep it alive too); ``close()``
/// or the last reference going away closes it.
public final class AMQPConnection: Sendable {
    let core: ConnectionCore

    private init(core: ConnectionCore) { self.core = core }

    deinit { core.submit { $0.close() } }

    /// Connects and logs in.
    ///
    /// The first connection attempt is not retried: a wrong password, an unknown virtual host or
    /// a broker that is not running fails at once with a one-line ``AMQPError``.
    ///
    /// - Throws: ``AMQPError`` with ``AMQPError/Code/connectionRefused``,
    ///   ``AMQPError/Code/authenticationFailed``, ``AMQPError/Code/accessRefused``,
    ///   ``AMQPError/Code/timeout`` or ``AMQPError/Code/tlsFailed``.
    public static func connect(_ configuration: AMQPConfiguration, logger: Logger) async throws -> AMQPConnection {
        let core = try ConnectionCore(configuration: configuration, logger: logger)
        try await core.start()
        return AMQPConnection(core: core)
    }

    /// The configuration this connection was opened with.
    public var configuration: AMQPConfiguration { core.configuration }

    /// The connection's thread as a task executor.
    ///
    /// Run a consumer loop with this preference and its deliveries are processed on the thread
    /// that received them, with no hop to another thread per batch (the main cost of consuming
    /// at high rates on a small machine):
    ///
    /// ```swift
    /// try await withTaskExecutorPreference(connection.taskExecutor) {
    ///     for try await batch in consumer.batches { … }
    /// }
    /// ```
    ///
    /// Work run this way delays the connection's I/O (heartbeats, acks, publishes) while it runs,
    /// so keep it short and never block in it; hand heavy work to other tasks. After the
    /// connection is closed such tasks continue on the global executor.
    public var taskExecutor: any TaskExecutor { core }

    /// `true` while the connection is up (`false` while reconnecting and after ``close()``).
    public var isConnected: Bool { core.isConnected }

    /// Closes the connection without waiting: consumers finish, pending publishes and calls fail
    /// with ``AMQPError/Code/connectionClosed``. Commands queued before it (acks, publishes) are
    /// still executed first. Calling it again does nothing. Usable from `defer` and from
    /// graceful-shutdown handlers.
    public func close() {
        core.submit { $0.close() }
    }

    /// Closes the connection and waits until the broker acknowledged the close.
    public func closeAndWait() async {
        _ = try? await core.perform { $0.close() }
    }

    // MARK: Topology

    /// Declares an exchange (idempotent while the arguments match).
    /// - Throws: ``AMQPError`` (``AMQPError/Code/preconditionFailed`` when it exists with other settings).
    public func declareExchange(_ name: String, type: ExchangeType = .topic, durable: Bool = true,
                                autoDelete: Bool = false, arguments: AMQPTable = [:]) async throws {
        let record = TopologyRecord.exchange(name: name, type: type.rawValue, durable: durable, autoDelete: autoDelete,
                                             arguments: arguments)
        _ = try await core.perform { try $0.declare(record) }
    }

    /// Declares a queue; pass `""` for a server-named queue and read the name from the result.
    /// - Returns: the queue's name and current counts.
    /// - Throws: ``AMQPError`` (``AMQPError/Code/preconditionFailed`` when it exists with other arguments).
    @discardableResult
    public func declareQueue(_ name: String, options: QueueOptions = .init()) async throws -> QueueState {
        let record = TopologyRecord.queue(name: name, options: options)
        let state = try await core.perform { try $0.declare(record) }
        return state ?? QueueState(name: name, messageCount: 0, consumerCount: 0)
    }

    /// Binds a queue to an exchange.
    public func bindQueue(_ queue: String, exchange: String, routingKey: String = "",
                          arguments: AMQPTable = [:]) async throws {
        let record = TopologyRecord.binding(queue: queue, exchange: exchange, routingKey: routingKey, arguments: arguments)
        _ = try await core.perform { try $0.declare(record) }
    }

    /// The counts of an existing queue (passive declare).
    /// - Throws: ``AMQPError`` with ``AMQPError/Code/notFound`` when it does not exist.
    public func inspectQueue(_ name: String) async throws -> QueueState {
        try await core.perform { try $0.inspectQueue(name) }
    }

    /// Deletes a queue. - Returns: the number of messages it held.
    @discardableResult
    public func deleteQueue(_ name: String, ifUnused: Bool = false, ifEmpty: Bool = false) async throws -> UInt32 {
        try await core.perform { try $0.deleteQueue(name, ifUnused: ifUnused, ifEmpty: ifEmpty) }
    }

    /// Deletes an exchange.
    public func deleteExchange(_ name: String, ifUnused: Bool = false) async throws {
        try await core.perform { try $0.deleteExchange(name, ifUnused: ifUnused) }
    }

    /// Removes every ready message from a queue. - Returns: how many were removed.
    @discardableResult
    public func purgeQueue(_ name: String) async throws -> UInt32 {
        try await core.perform { try $0.purgeQueue(name) }
    }

    // MARK: Publishing

    /// Publishes one message and returns once the broker confirmed it (publisher confirms).
    ///
    /// Concurrent calls are pipelined: up to ``AMQPConfiguration/publishWindow`` messages are in
    /// flight at once, so throughput does not pay one round trip per message.
    ///
    /// - Throws: ``AMQPError``: ``AMQPError/Code/publishNacked`` if the broker refused it,
    ///   ``AMQPError/Code/notFound`` for an unknown exchange, ``AMQPError/Code/connectionClosed``
    ///   when the connection dropped before the confirm (the message may or may not have arrived:
    ///   republish, consumers deduplicate).
    public func publish(_ body: [UInt8], exchange: String = "", routingKey: String,
                        properties: AMQPProperties = .init()) async throws {
        try await publishBatch([AMQPMessage(exchange: exchange, routingKey: routingKey, body: body, properties: properties)])
    }

    /// Publishes one message; see ``publish(_:exchange:routingKey:properties:)``.
    public func publish(_ message: AMQPMessage) async throws {
        try await publishBatch([message])
    }

    /// Publishes messages in order and returns when all are confirmed.
    ///
    /// - Throws: ``AMQPError`` if any message was nacked or could not be confirmed; republish
    ///   the whole batch (delivery is at least once).
    public func publishBatch(_ messages: [AMQPMessage]) async throws {
        guard !messages.isEmpty else { return }
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let accepted = core.submit { $0.enqueuePublish(messages, continuation: continuation) }
            if !accepted { continuation.resume(throwing: core.closedError) }
        }
    }

    // MARK: Consuming

    /// Starts consuming a queue.
    ///
    /// - Parameters:
    ///   - queue: the queue to consume.
    ///   - prefetch: most unacknowledged deliveries at once (per-consumer basic.qos; this is the
    ///     consumer's backpressure). Defaults to `100`.
    ///   - consumerTag: tag shown by the broker; when `nil`, generated from
    ///     ``AMQPConfiguration/consumerTagPrefix``, the queue and a random number.
    ///   - exclusive: refuse other consumers on the queue. Defaults to `false`.
    ///   - arguments: basic.consume arguments (e.g. `x-priority`).
    ///   - maxBufferedBytes: most body bytes received and not yet taken from the consumer; at that
    ///     point the connection stops reading its socket until the application catches up (TCP flow
    ///     control then holds the rest at the broker). Bounds memory when messages are large, which
    ///     the prefetch count cannot do. It pauses the whole connection, so give such a consumer its
    ///     own connection. `nil` (the default): no limit beyond the prefetch window.
    /// - Returns: an ``AMQPConsumer``, an `AsyncSequence` of ``Delivery``.
    public func consume(queue: String, prefetch: UInt16 = 100, consumerTag: String? = nil,
                        exclusive: Bool = false, arguments: AMQPTable = [:],
                        maxBufferedBytes: Int? = nil) async throws -> AMQPConsumer {
        let tag = consumerTag ?? "\(core.configuration.consumerTagPrefix)-\(queue)-\(UInt32.random(in: 0...UInt32.max))"
        let spec = ConsumerChannel.Spec(queue: queue, prefetch: prefetch, tag: tag, exclusive: exclusive, arguments: arguments)
        let (stream, continuation) = AsyncThrowingStream<[Delivery], any Error>.makeStream()
        let buffer = ConsumerBuffer(limit: maxBufferedBytes)
        let channel = try await core.perform { try $0.addConsumer(spec, continuation: continuation, buffer: buffer) }
        continuation.onTermination = { [core] termination in
            if case .cancelled = termination {
                core.submit { $0.cancelConsumer(channel: channel, waiter: nil) }
            }
        }
        return AMQPConsumer(connection: self, channel: channel, queue: queue, stream: stream, buffer: buffer)
    }
}

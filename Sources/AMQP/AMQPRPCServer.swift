public import Logging

/// Serves RPC requests from a queue with an async handler.
///
/// For each request: call the handler, publish its reply (with publisher confirm) to the
/// request's `reply_to` carrying the request's `correlation_id`, then ack the request. Up to
/// `prefetch` requests are handled concurrently. A request without `reply_to` or whose handler
/// throws is rejected without requeue (dead-lettered when the queue has a dead-letter exchange):
/// handlers should return typed error replies for expected failures.
public struct AMQPRPCServer: Sendable {
    /// The connection requests are consumed from and replies published on.
    public let connection: AMQPConnection
    /// The request queue (declare it first).
    public let queue: String
    /// Most requests in progress at once. Defaults to `16`.
    public var prefetch: UInt16
    private let logger: Logger

    /// Creates a server for `queue`.
    public init(connection: AMQPConnection, queue: String, prefetch: UInt16 = 16, logger: Logger) {
        self.connection = connection
        self.queue = queue
        self.prefetch = prefetch
        self.logger = logger
    }

    /// Consumes requests until the task is cancelled or the consumer ends.
    ///
    /// - Parameter handler: turns a request into a reply.
    /// - Throws: ``AMQPError`` when the consumer cannot start or is cancelled by the broker.
    public func run(handler: @escaping @Sendable (Delivery) async throws -> AMQPRPCReply) async throws {
        let consumer = try await connection.consume(queue: queue, prefetch: prefetch)
        try await withTaskCancellationHandler {
            try await withThrowingDiscardingTaskGroup { group in
                for try await request in consumer {
                    group.addTask { await serve(request, consumer: consumer, handler: handler) }
                }
            }
        } onCancel: {
            consumer.cancel()
        }
    }

    private func serve(_ request: Delivery, consumer: AMQPConsumer,
                       handler: @Sendable (Delivery) async throws -> AMQPRPCReply) async {
        guard let replyTo = request.properties.replyTo else {
            logger.info("amqp.rpc.no_reply_to", metadata: ["amqp.queue": "\(queue)"])
            consumer.reject(request, requeue: false)
            return
        }
        do {
            var reply = try await handler(request)
            reply.properties.correlationID = request.properties.correlationID
            try await connection.publish(reply.body, routingKey: replyTo, properties: reply.properties)
            consumer.ack(request)
        } catch {
            logger.info("amqp.rpc.failed", metadata: ["amqp.queue": "\(queue)", "error.message": "\(error)"])
            consumer.reject(request, requeue: false)
        }
    }
}

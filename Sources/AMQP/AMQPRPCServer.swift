public import Logging

/// Serves RPC requests from a queue with an async handler.
///
/// For each request: call the handler, publish its reply to the request's `reply_to` carrying the
/// request's `correlation_id`, then ack the request (``AMQPConsumer/reply(to:with:)``). Up to
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
        guard request.properties.replyTo != nil else {
            logger.info("amqp.rpc.no_reply_to", metadata: ["amqp.queue": "\(queue)"])
            consumer.reject(request, requeue: false)
            return
        }
        do {
            try await consumer.reply(to: request, with: try await handler(request))
        } catch {
            logger.info("amqp.rpc.failed", metadata: ["amqp.queue": "\(queue)", "error.message": "\(error)"])
            consumer.reject(request, requeue: false)
        }
    }
}

extension AMQPConsumer {
    /// Answers an RPC request and acknowledges it: the reply goes through the default exchange to the
    /// request's `reply_to` with its `correlation_id`, without a publisher confirm (a reply to a direct
    /// reply-to address is never stored, so a confirm would add a round trip and buy nothing), and the
    /// request is acknowledged right after its reply was written to the socket, in the same turn of the
    /// connection's loop. Returns once both are written.
    ///
    /// Nothing is lost: if the connection dies before the ack reached the broker, the request is
    /// redelivered and answered again (callers ignore a reply whose call already ended).
    ///
    /// - Throws: ``AMQPError``: ``AMQPError/Code/protocolError`` when the request has no `reply_to`
    ///   (reject it instead), ``AMQPError/Code/connectionClosed`` when the connection was lost since the
    ///   request arrived (it is redelivered; do not settle it).
    public func reply(to request: Delivery, with reply: AMQPRPCReply) async throws {
        guard let replyTo = request.properties.replyTo, !replyTo.isEmpty else {
            throw AMQPError(.protocolError, "the request has no reply_to — reject it instead of replying")
        }
        var properties = reply.properties
        properties.correlationID = request.properties.correlationID
        let message = AMQPMessage(exchange: "", routingKey: replyTo, body: reply.body, properties: properties)
        let tag = request.deliveryTag
        let core = connection.core
        let result: Result<Void, AMQPError> = await withCheckedContinuation { continuation in
            let accepted = core.submit { session in
                do throws(AMQPError) {
                    try session.sendReply(message, acknowledging: tag)
                    continuation.resume(returning: .success(()))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
            if !accepted { continuation.resume(returning: .failure(core.closedError)) }
        }
        try result.get()
    }
}

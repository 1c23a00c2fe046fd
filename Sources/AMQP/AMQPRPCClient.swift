/// Calls a remote procedure over RabbitMQ and awaits the reply.
///
/// Requests carry `reply_to: amq.rabbitmq.reply-to` (RabbitMQ's direct reply-to, no reply queue
/// to declare) and a unique `correlation_id`; any number of concurrent calls share the
/// connection and each reply is matched to its caller. Every call has a deadline: it throws
/// ``AMQPError/Code/timeout`` rather than hang, and the request carries the same `expiration`,
/// so a request nobody served in time is dropped by the broker.
///
/// ```swift
/// let rpc = AMQPRPCClient(connection: connection)
/// let reply = try await rpc.call(routingKey: "pricing.quote", body: request, timeout: .seconds(5))
/// ```
public struct AMQPRPCClient: Sendable {
    /// The connection the calls go through.
    public let connection: AMQPConnection
    /// Exchange requests are published to. Defaults to `""` (routing key = queue name).
    public var exchange: String
    /// Deadline used when ``call(routingKey:body:properties:timeout:)`` gets none. Defaults to 5 s.
    public var defaultTimeout: Duration

    /// Creates a client on `connection`.
    public init(connection: AMQPConnection, exchange: String = "", defaultTimeout: Duration = .seconds(5)) {
        self.connection = connection
        self.exchange = exchange
        self.defaultTimeout = defaultTimeout
    }

    /// Sends a request and waits for its reply.
    ///
    /// - Parameters:
    ///   - routingKey: where the request goes (with the default exchange: the server's queue).
    ///   - body: request payload.
    ///   - properties: extra properties; `replyTo` and `correlationID` are set by the client.
    ///   - timeout: deadline for the reply; `nil` uses ``defaultTimeout``.
    /// - Returns: the reply delivery (body, properties, headers).
    /// - Throws: ``AMQPError`` with ``AMQPError/Code/timeout`` when no reply came in time,
    ///   ``AMQPError/Code/connectionClosed`` when the connection dropped; `CancellationError`
    ///   when the calling task is cancelled.
    public func call(routingKey: String, body: [UInt8], properties: AMQPProperties = .init(deliveryMode: .transient),
                     timeout: Duration? = nil) async throws -> Delivery {
        try Task.checkCancellation()
        let id = Self.makeCorrelationID()
        let message = AMQPMessage(exchange: exchange, routingKey: routingKey, body: body, properties: properties)
        let timeout = timeout ?? defaultTimeout
        let core = connection.core
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Delivery, any Error>) in
                let accepted = core.submit { $0.startCall(id: id, message: message, timeout: timeout, continuation: continuation) }
                if !accepted { continuation.resume(throwing: core.closedError) }
            }
        } onCancel: {
            core.submit { $0.cancelCall(id: id) }
        }
    }

    private static func makeCorrelationID() -> String {
        let hex = Array("0123456789abcdef".utf8)
        var bytes = [UInt8](repeating: 0, count: 32)
        for i in 0..<32 { bytes[i] = hex[Int.random(in: 0..<16)] }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// A reply produced by an ``AMQPRPCServer`` handler.
public struct AMQPRPCReply: Sendable {
    /// Reply payload.
    public var body: [UInt8]
    /// Reply properties; the server sets `correlationID`.
    public var properties: AMQPProperties

    /// Creates a reply. Replies are transient by default (the caller is waiting for them).
    public init(body: [UInt8], properties: AMQPProperties = .init(deliveryMode: .transient)) {
        self.body = body
        self.properties = properties
    }
}

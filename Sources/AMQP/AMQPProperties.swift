public import Foundation

/// The basic-class properties of a message (content header).
///
/// Every field is optional; ``deliveryMode`` defaults to ``DeliveryMode/persistent`` when you
/// create properties to publish. Decoded properties leave unset fields `nil`.
public struct AMQPProperties: Sendable, Hashable {
    /// Whether the broker writes a message to disk.
    public enum DeliveryMode: UInt8, Sendable {
        /// Kept in memory only (delivery-mode 1).
        case transient = 1
        /// Written to disk by durable queues (delivery-mode 2).
        case persistent = 2
    }

    public var contentType: String?
    public var contentEncoding: String?
    /// Application headers. Empty when the message had none.
    public var headers: AMQPTable
    public var deliveryMode: DeliveryMode?
    public var priority: UInt8?
    public var correlationID: String?
    public var replyTo: String?
    /// Per-message TTL in milliseconds, as a decimal string (AMQP's encoding).
    public var expiration: String?
    public var messageID: String?
    /// Send time, second precision on the wire.
    public var timestamp: Date?
    public var type: String?
    public var userID: String?
    public var appID: String?

    /// Creates properties; every parameter restates its default.
    public init(contentType: String? = nil, contentEncoding: String? = nil, headers: AMQPTable = [:],
                deliveryMode: DeliveryMode? = .persistent, priority: UInt8? = nil, correlationID: String? = nil,
                replyTo: String? = nil, expiration: String? = nil, messageID: String? = nil,
                timestamp: Date? = nil, type: String? = nil, userID: String? = nil, appID: String? = nil) {
        self.contentType = contentType
        self.contentEncoding = contentEncoding
        self.headers = headers
        self.deliveryMode = deliveryMode
        self.priority = priority
        self.correlationID = correlationID
        self.replyTo = replyTo
        self.expiration = expiration
        self.messageID = messageID
        self.timestamp = timestamp
        self.type = type
        self.userID = userID
        self.appID = appID
    }
}

/// A message to publish.
public struct AMQPMessage: Sendable {
    /// Exchange to publish to; `""` is the default exchange (routing key = queue name).
    public var exchange: String
    /// Routing key.
    public var routingKey: String
    /// Payload.
    public var body: [UInt8]
    /// Properties and headers.
    public var properties: AMQPProperties

    /// Creates a message.
    public init(exchange: String = "", routingKey: String, body: [UInt8], properties: AMQPProperties = .init()) {
        self.exchange = exchange
        self.routingKey = routingKey
        self.body = body
        self.properties = properties
    }
}

/// Identifies a delivery on the connection that received it.
///
/// The tag remembers the connection generation: acknowledging a delivery received before a
/// reconnect is a logged no-op (the broker has already requeued it and will redeliver it).
public struct DeliveryTag: Sendable, Hashable, CustomStringConvertible {
    /// The broker's delivery tag on its channel.
    public let value: UInt64
    let channel: UInt16
    let generation: UInt64

    public var description: String { "\(value)@\(channel)#\(generation)" }
}

/// A message received from a queue.
public struct Delivery: Sendable {
    /// Payload.
    public var body: [UInt8]
    /// Exchange the message was published to (`""` for the default exchange).
    public var exchange: String
    /// Routing key it was published with.
    public var routingKey: String
    /// Tag to pass to ack / nack / reject.
    public var deliveryTag: DeliveryTag
    /// `true` when the broker delivered this message before (e.g. after a consumer died).
    public var redelivered: Bool
    /// Properties, including headers.
    public var properties: AMQPProperties

    /// Shortcut for `properties.headers`.
    public var headers: AMQPTable { properties.headers }
}

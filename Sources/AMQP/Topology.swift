/// The type of an exchange.
public struct ExchangeType: RawRepresentable, Sendable, Hashable {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    public static let direct = ExchangeType(rawValue: "direct")
    public static let fanout = ExchangeType(rawValue: "fanout")
    public static let topic = ExchangeType(rawValue: "topic")
    public static let headers = ExchangeType(rawValue: "headers")
    /// From the `rabbitmq_consistent_hash_exchange` plugin.
    public static let consistentHash = ExchangeType(rawValue: "x-consistent-hash")
}

/// How to declare a queue.
///
/// Every declaration of a queue must carry the same options, or the broker answers
/// `406 PRECONDITION_FAILED` (``AMQPError/Code/preconditionFailed``).
public struct QueueOptions: Sendable, Hashable {
    /// The queue implementation (`x-queue-type`).
    public enum Kind: String, Sendable {
        case classic, quorum, stream
    }

    /// Queue type. Defaults to ``Kind/classic``. Quorum queues must be durable and not exclusive.
    public var kind: Kind = .classic
    /// Survives a broker restart. Defaults to `true`.
    public var durable = true
    /// Owned by this connection and deleted with it. Defaults to `false`.
    public var exclusive = false
    /// Deleted when its last consumer goes. Defaults to `false`.
    public var autoDelete = false
    /// `x-dead-letter-exchange`. Defaults to `nil`.
    public var deadLetterExchange: String?
    /// `x-dead-letter-routing-key`. Defaults to `nil` (keep the message's routing key).
    public var deadLetterRoutingKey: String?
    /// `x-delivery-limit` (quorum): dead-letter after this many redeliveries. Defaults to `nil`.
    public var deliveryLimit: Int?
    /// `x-max-length`. Defaults to `nil`.
    public var maxLength: Int?
    /// `x-message-ttl`, whole milliseconds. Defaults to `nil`.
    public var messageTTL: Duration?
    /// Further arguments, merged over the ones above. Defaults to empty.
    public var arguments: AMQPTable = [:]

    /// Creates options; every parameter restates its default.
    public init(kind: Kind = .classic, durable: Bool = true, exclusive: Bool = false, autoDelete: Bool = false,
                deadLetterExchange: String? = nil, deadLetterRoutingKey: String? = nil, deliveryLimit: Int? = nil,
                maxLength: Int? = nil, messageTTL: Duration? = nil, arguments: AMQPTable = [:]) {
        self.kind = kind
        self.durable = durable
        self.exclusive = exclusive
        self.autoDelete = autoDelete
        self.deadLetterExchange = deadLetterExchange
        self.deadLetterRoutingKey = deadLetterRoutingKey
        self.deliveryLimit = deliveryLimit
        self.maxLength = maxLength
        self.messageTTL = messageTTL
        self.arguments = arguments
    }

    /// A durable quorum queue.
    public static var quorum: QueueOptions { QueueOptions(kind: .quorum) }

    /// The `x-…` arguments sent with queue.declare.
    public var declarationArguments: AMQPTable {
        var args: AMQPTable = [:]
        if kind != .classic { args["x-queue-type"] = .string(kind.rawValue) }
        if let deadLetterExchange { args["x-dead-letter-exchange"] = .string(deadLetterExchange) }
        if let deadLetterRoutingKey { args["x-dead-letter-routing-key"] = .string(deadLetterRoutingKey) }
        if let deliveryLimit { args["x-delivery-limit"] = .int(Int64(deliveryLimit)) }
        if let maxLength { args["x-max-length"] = .int(Int64(maxLength)) }
        if let messageTTL {
            let ms = messageTTL.components.seconds * 1000 + messageTTL.components.attoseconds / 1_000_000_000_000_000
            args["x-message-ttl"] = .int(ms)
        }
        args.merge(arguments) { _, new in new }
        return args
    }
}

/// What queue.declare-ok reported.
public struct QueueState: Sendable, Hashable {
    /// The queue name (the generated one for a server-named queue).
    public var name: String
    /// Messages ready for delivery.
    public var messageCount: UInt32
    /// Active consumers.
    public var consumerCount: UInt32
}

public import AMQP
import HindsightCore

/// The broker objects of Hindsight (named by ``WireContract``), declared identically by every worker and
/// by the broker definitions file (`deploy/rabbitmq/definitions.template.json`); a test checks that the
/// two agree, because a quorum queue redeclared with other arguments closes the channel
/// (406 PRECONDITION_FAILED).
public enum Topology {
    /// Topic exchange agents publish events to, routing key `<domain>.<event_type>`.
    public static let eventsExchange = WireContract.eventsExchange
    /// Quorum queue the trackers share.
    public static let trackerQueue = WireContract.trackerQueue
    /// Exchange of messages that can never be stored.
    public static let deadLetterExchange = WireContract.deadLetterExchange
    /// Queue holding dead letters for inspection.
    public static let deadLetterQueue = WireContract.deadLetterQueue
    /// Queue of plan-optimization and recovery requests.
    public static let adapterQueue = WireContract.adapterQueue
    /// Direct exchange of adapter requests.
    public static let rpcExchange = WireContract.rpcExchange
    /// Routing key binding ``adapterQueue`` to ``rpcExchange``.
    public static let adapterRoutingKey = WireContract.adapterRoutingKey
    /// Redeliveries after which the broker dead-letters a message (crash-loop protection).
    public static let trackerDeliveryLimit = 50

    /// The tracker queue's declaration.
    public static func trackerQueueOptions() -> QueueOptions {
        QueueOptions(kind: .quorum, deadLetterExchange: deadLetterExchange, deliveryLimit: trackerDeliveryLimit)
    }

    /// Declares the events exchange, the tracker queue (bound to every routing key) and the dead-letter
    /// exchange and queue. Idempotent.
    public static func declareTracker(on connection: AMQPConnection, queue: String = trackerQueue) async throws {
        try await connection.declareExchange(eventsExchange, type: .topic)
        try await connection.declareExchange(deadLetterExchange, type: .topic)
        try await connection.declareQueue(deadLetterQueue, options: .quorum)
        try await connection.bindQueue(deadLetterQueue, exchange: deadLetterExchange, routingKey: "#")
        try await connection.declareQueue(queue, options: trackerQueueOptions())
        try await connection.bindQueue(queue, exchange: eventsExchange, routingKey: "#")
    }

    /// Declares the request exchange and the adapter's quorum queue bound to it with
    /// ``adapterRoutingKey``. Idempotent. Replies need nothing declared: they go through the default
    /// exchange to the caller's direct reply-to.
    public static func declareAdapter(on connection: AMQPConnection, queue: String = adapterQueue) async throws {
        try await connection.declareExchange(rpcExchange, type: .direct)
        try await connection.declareQueue(queue, options: .quorum)
        try await connection.bindQueue(queue, exchange: rpcExchange, routingKey: adapterRoutingKey)
    }
}

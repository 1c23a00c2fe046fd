import Foundation

/// The contract between agents, trackers and the broker, defined once: exchange and queue names, the
/// routing-key format, the message headers, the dead-letter reason codes and the factory that builds a
/// message (body, routing key, headers) for an event or a batch.
///
/// Every publisher (the agent library, the simulator, the tests, the benchmarks) builds its messages
/// with ``message(for:)`` or ``message(forBatch:)``; the tracker reads ``Header/schema``, dead-letters
/// with ``Header/reason`` and ``Header/detail``, and the topology is declared from these names. The
/// contract has no broker dependency: headers are plain ``HeaderValue``s that each client maps to its
/// own field-table type.
///
/// ```swift
/// let message = WireContract.message(forBatch: events)
/// // publish message.body to WireContract.eventsExchange with message.routingKey,
/// // content type WireContract.contentType, persistent, headers message.headers
/// ```
public enum WireContract {
    // MARK: Broker objects

    /// Topic exchange agents publish events to, routing key ``routingKey(domain:eventType:)``.
    public static let eventsExchange = "hindsight.events"
    /// Quorum queue the trackers share, bound to every routing key of ``eventsExchange``.
    public static let trackerQueue = "hindsight.tracker"
    /// Topic exchange of messages that can never be stored (republished with their reason).
    public static let deadLetterExchange = "hindsight.dead"
    /// Queue holding the dead letters for inspection, bound to every key of ``deadLetterExchange``.
    public static let deadLetterQueue = "hindsight.dead-letters"
    /// Queue of plan-optimization and recovery requests, bound to ``rpcExchange`` with ``adapterRoutingKey``.
    public static let adapterQueue = "hindsight.adapter"
    /// Direct exchange agents publish adapter requests to (routing key ``adapterRoutingKey``): agents need no
    /// write permission on the default exchange, so they cannot publish straight into worker queues.
    public static let rpcExchange = "hindsight.rpc"
    /// Routing key of adapter requests on ``rpcExchange``.
    public static let adapterRoutingKey = "adapter"
    /// Content type of every event message.
    public static let contentType = "application/json"

    // MARK: Routing keys

    /// The routing key of a message whose first event has `domain` and `eventType`:
    /// `<domain>.<event_type>`, e.g. `data-processing.phase_completed`.
    ///
    /// - Parameters:
    ///   - domain: The event's domain.
    ///   - eventType: The event type's wire name.
    /// - Returns: The routing key.
    public static func routingKey(domain: String, eventType: String) -> String {
        "\(domain).\(eventType)"
    }

    /// The routing key of `event`; see ``routingKey(domain:eventType:)``.
    ///
    /// - Parameter event: The event (for a batch: its first event).
    /// - Returns: The routing key.
    public static func routingKey(for event: WireEvent) -> String {
        routingKey(domain: event.domain, eventType: event.type.rawValue)
    }

    // MARK: Headers

    /// The names of the message headers Hindsight reads and writes.
    public enum Header {
        /// Schema version of the body, an integer; a message without it is read as version 1.
        public static let schema = "hindsight-schema"
        /// On a dead letter: the ``DeadLetterReason`` code.
        public static let reason = "x-hindsight-reason"
        /// On a dead letter: a one-line human explanation (never payload data).
        public static let detail = "x-hindsight-detail"
        /// On a dead letter: the exchange the message was originally published to.
        public static let originalExchange = "x-hindsight-original-exchange"
        /// On a dead letter: the routing key the message was originally published with.
        public static let originalRoutingKey = "x-hindsight-original-routing-key"
    }

    /// A header value, independent of any AMQP client.
    public enum HeaderValue: Sendable, Hashable {
        /// A signed integer.
        case int(Int64)
        /// A UTF-8 string.
        case string(String)
    }

    /// The schema version header every event message carries.
    public static var schemaHeaders: [String: HeaderValue] {
        [Header.schema: .int(Int64(WireFormat.schemaVersion))]
    }

    /// The headers a tracker adds to a message it dead-letters.
    ///
    /// - Parameters:
    ///   - reason: Why the message can never be stored.
    ///   - detail: A one-line explanation without payload data.
    ///   - originalExchange: The exchange the message was published to.
    ///   - originalRoutingKey: The routing key it was published with.
    /// - Returns: The four dead-letter headers.
    public static func deadLetterHeaders(
        reason: DeadLetterReason, detail: String, originalExchange: String, originalRoutingKey: String
    ) -> [String: HeaderValue] {
        [
            Header.reason: .string(reason.rawValue),
            Header.detail: .string(detail),
            Header.originalExchange: .string(originalExchange),
            Header.originalRoutingKey: .string(originalRoutingKey),
        ]
    }

    // MARK: Dead-letter reasons

    /// The value of ``Header/reason`` on a dead letter: a stable snake_case code.
    ///
    /// The wire-format codes are ``WireError/Reason``'s (`invalid_json`, `oversize`, …); the tracker adds
    /// ``storageRejected`` for data the database refused. The set is open: consumers of the dead-letter
    /// queue must accept codes they do not know.
    public struct DeadLetterReason: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        /// The snake_case code.
        public var rawValue: String

        /// Creates a reason from its code.
        ///
        /// - Parameter rawValue: The snake_case code.
        public init(rawValue: String) { self.rawValue = rawValue }

        /// The reason for a body the wire format rejects.
        ///
        /// - Parameter reason: The wire-format reason.
        public init(_ reason: WireError.Reason) { self.rawValue = reason.rawValue }

        /// The database refused the message's data (its SQLSTATE is in ``Header/detail``).
        public static let storageRejected = DeadLetterReason(rawValue: "storage_rejected")

        /// Every code this version can produce: the wire-format reasons and ``storageRejected``.
        public static var allKnown: [DeadLetterReason] {
            WireError.Reason.allKnown.map(DeadLetterReason.init) + [storageRejected]
        }

        /// The code.
        public var description: String { rawValue }
    }

    // MARK: Message factory

    /// An event message ready to publish: body, routing key and headers. Publish it persistent, with
    /// content type ``WireContract/contentType``, to ``WireContract/eventsExchange``.
    public struct Message: Sendable, Hashable {
        /// The UTF-8 JSON body.
        public var body: [UInt8]
        /// `<domain>.<event_type>` of the (first) event.
        public var routingKey: String
        /// The headers (``Header/schema``).
        public var headers: [String: HeaderValue]
        /// A message id: the (first) event's id, lowercase.
        public var messageID: String

        /// Creates a message from its parts.
        ///
        /// - Parameters:
        ///   - body: The body.
        ///   - routingKey: The routing key.
        ///   - headers: The headers.
        ///   - messageID: The message id.
        public init(body: [UInt8], routingKey: String, headers: [String: HeaderValue], messageID: String) {
            self.body = body
            self.routingKey = routingKey
            self.headers = headers
            self.messageID = messageID
        }
    }

    /// The single-event message of `event`.
    ///
    /// - Parameter event: The event.
    /// - Returns: Its message.
    public static func message(for event: WireEvent) -> Message {
        Message(body: WireFormat.encode(event), routingKey: routingKey(for: event), headers: schemaHeaders,
                messageID: event.eventID.uuidString.lowercased())
    }

    /// The batch message `{"schema":1,"events":[…]}` of `events`, routed by its first event.
    ///
    /// - Parameter events: One or more events (at most ``WireLimits/maxEventsPerBatch`` to be accepted).
    /// - Returns: The message, or `nil` when `events` is empty.
    public static func message(forBatch events: some Collection<WireEvent>) -> Message? {
        guard let first = events.first else { return nil }
        return Message(body: WireFormat.encodeBatch(Array(events)), routingKey: routingKey(for: first),
                       headers: schemaHeaders, messageID: first.eventID.uuidString.lowercased())
    }

    /// The messages of `events` with `eventsPerMessage` events each: single-event messages when it is 1,
    /// batch messages otherwise (the last one may hold fewer).
    ///
    /// - Parameters:
    ///   - events: The events, in publishing order.
    ///   - eventsPerMessage: Events per message, at least 1.
    /// - Returns: The messages.
    public static func messages(for events: [WireEvent], eventsPerMessage: Int) -> [Message] {
        let perMessage = max(1, eventsPerMessage)
        if perMessage == 1 { return events.map(message(for:)) }
        return stride(from: 0, to: events.count, by: perMessage).compactMap {
            message(forBatch: events[$0..<min($0 + perMessage, events.count)])
        }
    }
}

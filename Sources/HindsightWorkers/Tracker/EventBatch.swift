import AMQP
import HindsightCore

/// One delivery, decoded: its events, or why it can never be stored.
///
/// Decoding happens on the consumer task as deliveries arrive, in parallel with the commit of the
/// previous batch; the commit loop only assembles decoded deliveries into an ``EventBatch``.
struct DecodedDelivery: Sendable {
    var delivery: Delivery
    var events: [WireEvent]
    /// Dead-letter reason and detail when the message cannot be stored.
    var rejection: (reason: String, detail: String)?
    /// When the tracker received it (a batch's linger counts from its oldest delivery).
    var receivedAt: ContinuousClock.Instant

    init(_ delivery: Delivery, limits: WireLimits, now: Int64, receivedAt: ContinuousClock.Instant) {
        self.delivery = delivery
        self.receivedAt = receivedAt
        self.events = []
        switch Self.schemaHeader(of: delivery) {
        case .invalid(let text):
            rejection = (WireError.Reason.unsupportedSchema.rawValue, "header hindsight-schema is '\(text)', expected 1")
        case .value(let version):
            do {
                events = try WireFormat.decode(delivery.body, schemaHeader: version, limits: limits, now: now)
            } catch {
                rejection = (error.reason.rawValue, error.detail)
            }
        }
    }

    private enum SchemaHeader { case value(Int?), invalid(String) }

    private static func schemaHeader(of delivery: Delivery) -> SchemaHeader {
        guard let value = delivery.headers[WireContract.Header.schema] else { return .value(nil) }
        switch value {
        case .int(let number): return .value(Int(number))
        case .string(let text): return Int(text).map { .value($0) } ?? .invalid(String(text.prefix(16)))
        default: return .invalid("\(value)".prefix(16).description)
        }
    }
}

/// The deliveries of one database transaction: the events decoded from them and the messages that can
/// never be stored, each with its reason.
///
/// Deliveries of one consumer arrive with increasing tags, so a batch is a contiguous range and one
/// `multiple` ack of ``lastTag`` acknowledges all of it — after the commit and after the dead letters
/// were published.
struct EventBatch {
    /// A message that is dead-lettered instead of stored.
    struct Rejected {
        var delivery: Delivery
        var reason: String
        var detail: String
    }

    /// A decoded message: its events and where they sit in ``events``.
    struct Accepted {
        var delivery: Delivery
        var range: Range<Int>
    }

    private(set) var events: [WireEvent] = []
    private(set) var accepted: [Accepted] = []
    private(set) var rejected: [Rejected] = []
    private(set) var bytes = 0
    private(set) var lastDelivery: Delivery?

    var messageCount: Int { accepted.count + rejected.count }
    var isEmpty: Bool { messageCount == 0 }

    /// Adds a decoded delivery to the batch.
    mutating func add(_ decoded: DecodedDelivery) {
        bytes += decoded.delivery.body.count
        lastDelivery = decoded.delivery
        if let rejection = decoded.rejection {
            rejected.append(Rejected(delivery: decoded.delivery, reason: rejection.reason, detail: rejection.detail))
        } else {
            accepted.append(Accepted(delivery: decoded.delivery, range: events.count..<(events.count + decoded.events.count)))
            events.append(contentsOf: decoded.events)
        }
    }

    /// Moves accepted messages to the rejected ones (after the database refused them individually).
    mutating func reject(acceptedAt indices: Set<Int>, reason: String, detail: String) {
        guard !indices.isEmpty else { return }
        var keptEvents: [WireEvent] = []
        var kept: [Accepted] = []
        for (index, message) in accepted.enumerated() {
            if indices.contains(index) {
                rejected.append(Rejected(delivery: message.delivery, reason: reason, detail: detail))
            } else {
                let start = keptEvents.count
                keptEvents.append(contentsOf: events[message.range])
                kept.append(Accepted(delivery: message.delivery, range: start..<keptEvents.count))
            }
        }
        events = keptEvents
        accepted = kept
    }

    /// Events of one accepted message.
    func events(ofAccepted index: Int) -> ArraySlice<WireEvent> { events[accepted[index].range] }

}

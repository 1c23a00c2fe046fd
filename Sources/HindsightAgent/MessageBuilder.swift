import AMQP
import Foundation
import HindsightCore

/// Turns events into AMQP messages and checks each body with the same decoder and limits the
/// tracker applies, so an event the tracker would dead-letter is refused at the publisher's call.
struct MessageBuilder: Sendable {
    var exchange: String
    var eventsPerMessage: Int
    var limits: WireLimits = .default

    /// The messages for `events`, in order; each body is decoded once as a check.
    ///
    /// - Parameter now: The clock used for the future-skew rule, in microseconds.
    /// - Throws: ``EventPublisherError/Code/invalidEvent`` naming the first offending event.
    func messages(for events: [WireEvent], now: Int64) throws(EventPublisherError) -> [AMQPMessage] {
        var messages: [AMQPMessage] = []
        messages.reserveCapacity(events.count / eventsPerMessage + 1)
        var start = 0
        while start < events.count {
            var end = min(start + eventsPerMessage, events.count)
            var body = encode(events[start..<end])
            // Halve until the body fits the wire limit; a lone event that does not fit is reported
            // by the decoder below.
            while body.count > limits.maxMessageBytes, end - start > 1 {
                end = start + (end - start) / 2
                body = encode(events[start..<end])
            }
            do throws(WireError) {
                _ = try WireFormat.decode(body, limits: limits, now: now)
            } catch {
                throw culprit(in: events, start..<end, batchError: error, now: now)
            }
            messages.append(Self.message(body: body, first: events[start], exchange: exchange))
            start = end
        }
        return messages
    }

    private func encode(_ chunk: ArraySlice<WireEvent>) -> [UInt8] {
        if eventsPerMessage == 1, chunk.count == 1, let only = chunk.first { return WireFormat.encode(only) }
        return WireFormat.encodeBatch(Array(chunk))
    }

    /// Finds the first event of a refused message that is invalid on its own; when every event is
    /// (a batch-level rule such as two events with one `event_id`), names the batch's rule.
    private func culprit(
        in events: [WireEvent], _ range: Range<Int>, batchError: WireError, now: Int64
    ) -> EventPublisherError {
        var seen: [UUID: WireEvent] = [:]
        for index in range {
            do throws(WireError) {
                _ = try WireFormat.decode(WireFormat.encode(events[index]), limits: limits, now: now)
            } catch {
                return Self.invalid(index, error)
            }
            if let earlier = seen[events[index].eventID], earlier != events[index] {
                return Self.invalid(
                    index, WireError(.duplicateEventID, "event_id: another event of this call has the same id"))
            }
            seen[events[index].eventID] = events[index]
        }
        return Self.invalid(range.lowerBound, batchError)
    }

    private static func invalid(_ index: Int, _ error: WireError) -> EventPublisherError {
        EventPublisherError(
            .invalidEvent, "event \(index) breaks the wire format (\(error)); nothing of this call was published",
            eventIndex: index, wireError: error)
    }

    /// The message for a body whose first event is `first`, by the wire contract
    /// (``WireContract``): persistent, JSON, header `hindsight-schema: 1`, routing key
    /// `<domain>.<event_type>`, message id the first `event_id`.
    static func message(body: [UInt8], first: WireEvent, exchange: String) -> AMQPMessage {
        var properties = AMQPProperties()
        properties.contentType = WireContract.contentType
        properties.deliveryMode = .persistent
        properties.headers = [WireContract.Header.schema: .int(Int64(WireFormat.schemaVersion))]
        properties.messageID = first.eventID.uuidString.lowercased()
        return AMQPMessage(
            exchange: exchange, routingKey: WireContract.routingKey(for: first), body: body, properties: properties)
    }
}

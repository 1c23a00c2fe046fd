@testable import AMQP
import Foundation
import HindsightCore
@testable import HindsightWorkers

/// Builds deliveries, decoded deliveries and batches without a broker.
enum TrackerFixtures {
    static let limits = WireLimits.default

    static func event(seq: Int64 = 0) -> WireEvent {
        WireEvent(eventID: UUID(), executionID: UUID(), seq: seq, timestampMicros: WireFormat.currentMicros(),
                  type: .toolUsed, domain: "tests", phase: "search", payload: EventPayload(tool: "grep", durationMs: 1.5))
    }

    static func delivery(tag: UInt64, body: [UInt8]) -> Delivery {
        Delivery(body: body, exchange: "hindsight.events", routingKey: "tests.tool_used",
                 deliveryTag: DeliveryTag(value: tag, channel: 1, generation: 1), redelivered: false,
                 properties: AMQPProperties())
    }

    /// A delivery whose body is one valid event (or a batch of `events` events).
    static func valid(tag: UInt64, events: Int = 1) -> DecodedDelivery {
        let body = events == 1 ? WireFormat.encode(event()) : WireFormat.encodeBatch((0..<events).map { event(seq: Int64($0)) })
        return DecodedDelivery(delivery(tag: tag, body: body), limits: limits, now: WireFormat.currentMicros(),
                               receivedAt: .now)
    }

    /// A delivery whose body is not JSON (refused by decoding).
    static func invalid(tag: UInt64) -> DecodedDelivery {
        DecodedDelivery(delivery(tag: tag, body: Array("not json".utf8)), limits: limits, now: WireFormat.currentMicros(),
                        receivedAt: .now)
    }

    static func batch(_ decoded: [DecodedDelivery]) -> EventBatch {
        var batch = EventBatch()
        for delivery in decoded { batch.add(delivery) }
        return batch
    }
}

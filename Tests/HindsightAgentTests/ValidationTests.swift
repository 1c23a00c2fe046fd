import AMQP
import Foundation
import HindsightAgent
import HindsightCore
import Testing

/// Message building and validation: no broker needed (the publisher connects on first publish only).
@Suite("EventPublisher validation and message building")
struct ValidationTests {
    /// A publisher that never connects: nothing here publishes.
    static func publisher(eventsPerMessage: Int = 100) throws -> EventPublisher {
        EventPublisher(
            amqp: try AMQPConfiguration(url: "amqp://127.0.0.1:1/"),
            configuration: try .init(eventsPerMessage: eventsPerMessage), logger: AgentTestSupport.logger)
    }

    static func event(
        _ type: EventType = .toolUsed, seq: Int64 = 1, ts: Int64 = WireFormat.currentMicros(), domain: String = "d",
        phase: String? = nil, payload: EventPayload = EventPayload(tool: "sql", durationMs: 3)
    ) -> WireEvent {
        WireEvent(eventID: UUID(), executionID: UUID(), seq: seq, timestampMicros: ts, type: type, domain: domain,
                  phase: phase, payload: payload)
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var event: WireEvent
        var reason: WireError.Reason
        var testDescription: String { name }
    }

    static let invalidCases: [Case] = [
        Case(name: "empty domain", event: event(domain: ""), reason: .invalidDomain),
        Case(name: "control character in domain", event: event(domain: "a\nb"), reason: .invalidDomain),
        Case(name: "tool_used without duration", event: event(payload: EventPayload(tool: "sql")), reason: .missingField),
        Case(name: "phase_started without phase", event: event(.phaseStarted, payload: .init()), reason: .missingField),
        Case(name: "before 2000", event: event(ts: 900_000_000_000_000), reason: .timestampOutOfRange),
        Case(name: "two days ahead", event: event(ts: WireFormat.currentMicros() + 172_800_000_000),
             reason: .timestampOutOfRange),
        Case(name: "negative seq", event: event(seq: -1), reason: .invalidValue),
        Case(name: "negative duration", event: event(payload: EventPayload(tool: "sql", durationMs: -1)),
             reason: .invalidValue),
        Case(name: "goal over 4096 bytes",
             event: event(.executionStarted, payload: EventPayload(goal: String(repeating: "g", count: 4097))),
             reason: .stringTooLong),
        Case(name: "unknown status", event: event(.executionCompleted, payload: EventPayload(status: "done")),
             reason: .invalidValue),
        Case(name: "bad event type", event: event(EventType(rawValue: "Bad Type")), reason: .invalidEventType),
        Case(name: "nil event_id", event: WireEvent(
            eventID: UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)), executionID: UUID(), seq: 0,
            timestampMicros: WireFormat.currentMicros(), type: .executionStarted, domain: "d"), reason: .invalidUUID),
    ]

    @Test("an invalid event is a thrown error naming its index and the wire rule", arguments: invalidCases)
    func invalidEvent(_ testCase: Case) throws {
        for eventsPerMessage in [1, 100] {
            let publisher = try Self.publisher(eventsPerMessage: eventsPerMessage)
            var events = AgentTestSupport.execution(events: 4)
            events.insert(testCase.event, at: 2)
            let error = #expect(throws: EventPublisherError.self) {
                _ = try publisher.messages(for: events)
            }
            #expect(error?.code == .invalidEvent)
            #expect(error?.eventIndex == 2)
            #expect(error?.wireError?.reason == testCase.reason)
        }
    }

    @Test("two different events with one event_id in one call are refused at the second")
    func duplicateEventID() throws {
        let publisher = try Self.publisher()
        var events = AgentTestSupport.execution(events: 5)
        var twin = events[3]
        twin.payload = EventPayload(tool: "other", durationMs: 1)
        twin.eventID = events[1].eventID
        events[3] = twin
        let error = #expect(throws: EventPublisherError.self) {
            _ = try publisher.messages(for: events)
        }
        #expect(error?.code == .invalidEvent)
        #expect(error?.eventIndex == 3)
        #expect(error?.wireError?.reason == .duplicateEventID)
    }

    @Test("events are cut into messages of at most eventsPerMessage, in order, with the wire contract's properties")
    func batching() throws {
        let publisher = try Self.publisher(eventsPerMessage: 100)
        let events = AgentTestSupport.execution(events: 250)
        let messages = try publisher.messages(for: events)
        #expect(messages.map { try? WireFormat.decode($0.body).count } == [100, 100, 50])
        #expect(try messages.flatMap { try WireFormat.decode($0.body) } == events)
        for (message, first) in zip(messages, [events[0], events[100], events[200]]) {
            #expect(message.exchange == "hindsight.events")
            #expect(message.routingKey == "\(first.domain).\(first.type.rawValue)")
            #expect(message.properties.messageID == first.eventID.uuidString.lowercased())
            #expect(message.properties.deliveryMode == .persistent)
            #expect(message.properties.headers["hindsight-schema"] == .int(1))
        }
    }

    @Test("eventsPerMessage 1 publishes single-event bodies")
    func singleEventMessages() throws {
        let publisher = try Self.publisher(eventsPerMessage: 1)
        let events = AgentTestSupport.execution(events: 3)
        let messages = try publisher.messages(for: events)
        #expect(messages.count == 3)
        for (message, event) in zip(messages, events) {
            #expect(message.body == WireFormat.encode(event))
        }
    }

    @Test("a batch that would pass 1 MiB is split so that every message fits")
    func splitBySize() throws {
        let publisher = try Self.publisher(eventsPerMessage: 100)
        let plan = (0..<64).map { "phase-\($0)-" + String(repeating: "p", count: 240) }
        let goal = String(repeating: "g", count: 4096)
        var recorder = ExecutionRecorder(domain: "big")
        let now = WireFormat.currentMicros()
        for index in 0..<100 { recorder.start(goal: goal, plan: plan, at: now + Int64(index)) }
        let messages = try publisher.messages(for: recorder.events)
        #expect(messages.count > 1)
        #expect(messages.allSatisfy { $0.body.count <= WireLimits.default.maxMessageBytes })
        #expect(try messages.flatMap { try WireFormat.decode($0.body) } == recorder.events)
    }
}

import AMQP
import Foundation
import HindsightAgent
import HindsightCore
import Testing

/// Publishing against the local RabbitMQ, read back from a test exchange's queue.
@Suite("EventPublisher against RabbitMQ")
struct PublishTests {
    @Test("single events: one message each, in order, with the wire contract's properties")
    func singleEvents() async throws {
        let sink = try await TestSink.open("single")
        let publisher = EventPublisher(
            amqp: try AgentTestSupport.broker(name: "agent-tests-single"),
            configuration: try .init(eventsPerMessage: 1, exchange: sink.exchange), logger: AgentTestSupport.logger)
        let events = AgentTestSupport.execution(events: 5)
        for event in events {
            #expect(try await publisher.publish(event) == .confirmed)
        }
        let deliveries = try await sink.read { $0.count >= events.count }
        #expect(deliveries.count == events.count)
        #expect(try deliveries.map { try WireFormat.decode($0.body) } == events.map { [$0] })
        for (delivery, event) in zip(deliveries, events) {
            #expect(delivery.routingKey == "agent-tests.\(event.type.rawValue)")
            #expect(delivery.headers["hindsight-schema"] == .int(1))
            #expect(delivery.properties.deliveryMode == .persistent)
            #expect(delivery.properties.contentType == "application/json")
        }
        await publisher.close()
        await sink.close()
    }

    @Test("a batch publish on a shared connection: messages of at most eventsPerMessage, every event once, in order")
    func batchOnSharedConnection() async throws {
        let sink = try await TestSink.open("batch")
        let publisher = EventPublisher(
            connection: sink.connection, configuration: try .init(eventsPerMessage: 100, exchange: sink.exchange),
            logger: AgentTestSupport.logger)
        let events = AgentTestSupport.execution(events: 250) + AgentTestSupport.execution(events: 30)
        #expect(try await publisher.publish(events) == .confirmed)
        let deliveries = try await sink.read { $0.count >= 3 }
        #expect(try deliveries.map { try WireFormat.decode($0.body).count } == [100, 100, 80])
        #expect(try AgentTestSupport.eventIDs(deliveries) == events.map(\.eventID))
        // Closing the publisher leaves a shared connection open.
        await publisher.close()
        #expect(sink.connection.isConnected)
        await #expect(throws: EventPublisherError.self) { try await publisher.publish(events[0]) }
        await sink.close()
    }

    @Test("an invalid event is refused at the call: nothing of that call reaches the broker")
    func invalidEventNotPublished() async throws {
        let sink = try await TestSink.open("invalid")
        let spoolPath = AgentTestSupport.spoolPath()
        defer { AgentTestSupport.removeSpool(spoolPath) }
        let publisher = EventPublisher(
            connection: sink.connection,
            configuration: try .init(exchange: sink.exchange, spool: .init(path: spoolPath)),
            logger: AgentTestSupport.logger)
        var events = AgentTestSupport.execution(events: 3)
        events[1].domain = ""
        let error = await #expect(throws: EventPublisherError.self) {
            try await publisher.publish(events)
        }
        #expect(error?.code == .invalidEvent)
        #expect(error?.eventIndex == 1)
        // A marker published afterwards is the first and only thing in the queue.
        let marker = AgentTestSupport.execution(events: 1)
        #expect(try await publisher.publish(marker) == .confirmed)
        let deliveries = try await sink.read { $0.count >= 1 }
        #expect(try AgentTestSupport.eventIDs(deliveries) == marker.map(\.eventID))
        #expect(try await sink.readyCount() == 0)
        #expect(try await publisher.spoolStatus()?.messages == 0)
        await publisher.close()
        await sink.close()
    }

    @Test("an unknown exchange is refused by the broker: thrown, not spooled")
    func unknownExchangeRefused() async throws {
        let spoolPath = AgentTestSupport.spoolPath()
        defer { AgentTestSupport.removeSpool(spoolPath) }
        let publisher = EventPublisher(
            amqp: try AgentTestSupport.broker(name: "agent-tests-refused"),
            configuration: try .init(exchange: AgentTestSupport.unique("agent-tests.missing"), spool: .init(path: spoolPath)),
            logger: AgentTestSupport.logger)
        let error = await #expect(throws: EventPublisherError.self) {
            try await publisher.publish(AgentTestSupport.execution(events: 2))
        }
        #expect(error?.code == .brokerRefused)
        #expect(error?.amqpError?.code == .notFound)
        #expect(try await publisher.spoolStatus()?.messages == 0)
        await publisher.close()
    }
}

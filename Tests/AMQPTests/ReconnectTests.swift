import AMQP
import Foundation
import Testing

@Suite("Reconnect")
struct ReconnectTests {
    @Test func brokerClosedConnectionIsReestablishedAndWorkGoesOn() async throws {
        let name = TestBroker.unique("amqp-test-reconnect")
        let connection = try await TestBroker.connect(name)
        defer { connection.close() }
        let queue = TestBroker.unique("test.reconnect")
        try await connection.declareQueue(queue, options: QueueOptions(kind: .quorum, arguments: TestBroker.expiring))
        try await connection.publishBatch((0..<100).map {
            AMQPMessage(routingKey: queue, body: [], properties: AMQPProperties(messageID: "before-\($0)"))
        })
        let consumer = try await connection.consume(queue: queue, prefetch: 20)

        let collected = try await withDeadline(.seconds(90), "consume across a reconnect") {
            var seen = Set<String>()
            var closed = false
            for try await delivery in consumer {
                seen.insert(delivery.properties.messageID ?? "?")
                consumer.ack(delivery)
                if !closed, seen.count >= 30 {
                    closed = true
                    let before = try TestBroker.connectionPids(named: name)
                    #expect(try TestBroker.closeConnection(named: name) == 1)
                    try await Self.publishAfterReconnect(connection, queue: queue)
                    let after = try TestBroker.connectionPids(named: name)
                    #expect(after.count == 1 && after != before, "no new broker connection: \(before) → \(after)")
                }
                if seen.count == 200 { break }
            }
            return seen
        }
        #expect(collected.count == 200)
        #expect(connection.isConnected)
        await consumer.cancelAndWait()
        try await connection.deleteQueue(queue)
    }

    /// Publishing retries while the client reconnects, as an application would.
    private static func publishAfterReconnect(_ connection: AMQPConnection, queue: String) async throws {
        let messages = (0..<100).map {
            AMQPMessage(routingKey: queue, body: [], properties: AMQPProperties(messageID: "after-\($0)"))
        }
        while true {
            do {
                try await connection.publishBatch(messages)
                return
            } catch let error as AMQPError where error.code == .connectionClosed {
                try await Task.sleep(for: .milliseconds(100))
            }
        }
    }

    @Test func staleAcksAfterReconnectAreHarmless() async throws {
        let name = TestBroker.unique("amqp-test-stale")
        let connection = try await TestBroker.connect(name)
        defer { connection.close() }
        let queue = TestBroker.unique("test.stale")
        try await connection.declareQueue(queue, options: QueueOptions(kind: .quorum, arguments: TestBroker.expiring))
        try await connection.publish(Array("x".utf8), routingKey: queue, properties: AMQPProperties(messageID: "only"))
        let consumer = try await connection.consume(queue: queue, prefetch: 5)
        try await withDeadline(.seconds(60), "stale ack") {
            var iterator = consumer.makeAsyncIterator()
            let first = try #require(try await iterator.next())
            #expect(try TestBroker.closeConnection(named: name) == 1)
            // Redelivered on the new connection; the tag of the first delivery is stale now.
            let again = try #require(try await iterator.next())
            consumer.ack(first)
            #expect(again.redelivered)
            #expect(again.properties.messageID == "only")
            consumer.ack(again)
        }
        try await withDeadline(.seconds(10), "queue drained") {
            while try await connection.inspectQueue(queue).messageCount != 0 {
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        #expect(connection.isConnected)
        await consumer.cancelAndWait()
        try await connection.deleteQueue(queue)
    }
}

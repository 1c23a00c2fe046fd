import AMQP
import Testing

@Suite("Publish and consume")
struct PublishConsumeTests {
    @Test func tenThousandMessagesNoneLostNoneDuplicated() async throws {
        let publisher = try await TestBroker.connect("amqp-test-10k-publish")
        let consumerConnection = try await TestBroker.connect("amqp-test-10k-consume")
        defer {
            publisher.close()
            consumerConnection.close()
        }
        let queue = TestBroker.unique("test.10k")
        try await publisher.declareQueue(queue, options: QueueOptions(kind: .quorum, arguments: TestBroker.expiring))
        let total = 10_000

        // Half through publishBatch, half through many concurrent single publishes (pipelined).
        try await withDeadline(.seconds(60), "publish") {
            for start in stride(from: 0, to: total / 2, by: 500) {
                let batch = (start..<start + 500).map { i in
                    AMQPMessage(routingKey: queue, body: Array("message \(i)".utf8),
                                properties: AMQPProperties(contentType: "text/plain", headers: ["index": .int(Int64(i))],
                                                           messageID: "m-\(i)"))
                }
                try await publisher.publishBatch(batch)
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in 0..<50 {
                    group.addTask {
                        for i in stride(from: total / 2 + worker, to: total, by: 50) {
                            try await publisher.publish(Array("message \(i)".utf8), routingKey: queue,
                                                        properties: AMQPProperties(messageID: "m-\(i)"))
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
        #expect(try await publisher.inspectQueue(queue).messageCount == UInt32(total))

        let consumer = try await consumerConnection.consume(queue: queue, prefetch: 500)
        let (seen, duplicates) = try await withDeadline(.seconds(60), "consume") {
            var seen = Set<String>()
            var duplicates = 0
            var sinceAck = 0
            for try await delivery in consumer {
                let id = delivery.properties.messageID ?? "missing"
                if !seen.insert(id).inserted { duplicates += 1 }
                sinceAck += 1
                if sinceAck == 100 || seen.count == total {
                    consumer.ack(delivery, multiple: true)
                    sinceAck = 0
                }
                if seen.count == total { break }
            }
            return (seen, duplicates)
        }
        #expect(seen.count == total)
        #expect(duplicates == 0)
        #expect(seen == Set((0..<total).map { "m-\($0)" }))
        await consumer.cancelAndWait()
        // Acks were sent before the cancel, on the connection's thread: nothing is left.
        try await withDeadline(.seconds(10), "drain") {
            while try await publisher.inspectQueue(queue).messageCount != 0 {
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        try await publisher.deleteQueue(queue)
    }

    @Test func propertiesAndHeadersRoundTrip() async throws {
        let connection = try await TestBroker.connect("amqp-test-properties")
        defer { connection.close() }
        let exchange = TestBroker.unique("test.topic")
        let queue = TestBroker.unique("test.props")
        try await connection.declareExchange(exchange, type: .topic, durable: false, autoDelete: true)
        try await connection.declareQueue(queue, options: QueueOptions(durable: false, exclusive: true))
        try await connection.bindQueue(queue, exchange: exchange, routingKey: "agent.*")
        let properties = AMQPProperties(
            contentType: "application/json", headers: ["schema": 1, "source": "test", "nested": ["a": [1, "b"]]],
            deliveryMode: .persistent, correlationID: "corr-1", replyTo: "nowhere", expiration: "60000",
            messageID: "id-1", type: "event")
        try await connection.publish(Array("{}".utf8), exchange: exchange, routingKey: "agent.phase_started", properties: properties)
        let consumer = try await connection.consume(queue: queue, prefetch: 10)
        let delivery = try await withDeadline(.seconds(10), "receive") {
            var iterator = consumer.makeAsyncIterator()
            return try await iterator.next()
        }
        #expect(delivery?.body.text == "{}")
        #expect(delivery?.exchange == exchange)
        #expect(delivery?.routingKey == "agent.phase_started")
        #expect(delivery?.redelivered == false)
        #expect(delivery?.properties == properties)
        if let delivery { consumer.ack(delivery) }
        await consumer.cancelAndWait()
        try await connection.deleteExchange(exchange)
    }

    @Test func publishToMissingExchangeFailsAndPublisherRecovers() async throws {
        let connection = try await TestBroker.connect("amqp-test-404")
        defer { connection.close() }
        do {
            try await connection.publish([1], exchange: TestBroker.unique("no.such.exchange"), routingKey: "x")
            Issue.record("publish to a missing exchange was confirmed")
        } catch let error as AMQPError {
            #expect(error.code == .notFound, "\(error)")
        }
        let queue = TestBroker.unique("test.after404")
        try await connection.declareQueue(queue, options: QueueOptions(durable: false, exclusive: true))
        try await connection.publish([2], routingKey: queue)
        #expect(try await connection.inspectQueue(queue).messageCount == 1)
    }
}

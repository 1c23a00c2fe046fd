import AMQP
import Testing

@Suite("Consumer byte limit")
struct ConsumerBufferTests {
    /// With a byte limit the connection stops reading while the application holds that much, keeps
    /// sending heartbeats while paused (a 1 s heartbeat and a 5 s pause: without them the broker
    /// closes the connection and redelivers), and resumes when the application takes deliveries.
    @Test func readingPausesAtTheLimitAndResumes() async throws {
        let publisher = try await TestBroker.connect("amqp-test-buffer-publish")
        let connection = try await TestBroker.connect("amqp-test-buffer-consume") { $0.heartbeat = .seconds(1) }
        defer {
            publisher.close()
            connection.close()
        }
        let queue = TestBroker.unique("test.buffer")
        try await publisher.declareQueue(queue, options: QueueOptions(arguments: TestBroker.expiring))
        let total = 60
        let size = 64 * 1024
        try await publisher.publishBatch((0..<total).map { index in
            AMQPMessage(routingKey: queue, body: [UInt8](repeating: UInt8(index), count: size))
        })

        let limit = 200_000
        let consumer = try await connection.consume(queue: queue, prefetch: UInt16(total), maxBufferedBytes: limit)
        let first = try await withDeadline(.seconds(30), "the first delivery") {
            var iterator = consumer.batches.makeAsyncIterator()
            return try await iterator.next() ?? []
        }
        #expect(!first.isEmpty)
        // Let the connection thread fill the buffer, then hold still for five heartbeat intervals.
        try await Task.sleep(for: .seconds(5))
        #expect(consumer.bufferedBytes <= limit + 2 * size, "read \(consumer.bufferedBytes) bytes past a \(limit)-byte limit")
        #expect(connection.isConnected)

        let rest = try await withDeadline(.seconds(30), "the rest after the pause") {
            var received: [Delivery] = []
            for try await batch in consumer.batches {
                received += batch
                if received.count + first.count >= total { break }
            }
            return received
        }
        let received = first + rest
        #expect(received.count == total)
        #expect(received.allSatisfy { !$0.redelivered }, "a delivery was redelivered: the connection was lost while paused")
        #expect(received.map { Int($0.body.first ?? 255) } == Array(0..<total))
        if let last = received.last { consumer.ack(last, multiple: true) }
        await consumer.cancelAndWait()
        try await publisher.deleteQueue(queue)
    }
}

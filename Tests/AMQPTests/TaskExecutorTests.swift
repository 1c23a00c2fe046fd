import AMQP
import Testing

@Suite("Connection as task executor")
struct TaskExecutorTests {
    /// A consumer loop on the connection's own thread receives, acks and publishes like any other.
    @Test func consumerLoopOnTheConnectionThread() async throws {
        let connection = try await TestBroker.connect("amqp-test-executor")
        defer { connection.close() }
        let queue = TestBroker.unique("test.executor")
        try await connection.declareQueue(queue, options: QueueOptions(kind: .quorum, arguments: TestBroker.expiring))
        let total = 2_000
        try await connection.publishBatch((0..<total).map { AMQPMessage(routingKey: queue, body: Array("\($0)".utf8)) })

        let consumer = try await connection.consume(queue: queue, prefetch: 300)
        let received = try await withDeadline(.seconds(60), "consume on the connection executor") {
            try await withTaskExecutorPreference(connection.taskExecutor) {
                var received: [Int] = []
                for try await batch in consumer.batches {
                    for delivery in batch {
                        received.append(Int(String(decoding: delivery.body, as: UTF8.self)) ?? -1)
                    }
                    if let last = batch.last { consumer.ack(last, multiple: true) }
                    // Awaiting the connection from its own thread must not deadlock.
                    if received.count == total / 2 { _ = try await connection.inspectQueue(queue) }
                    if received.count >= total { break }
                }
                return received
            }
        }
        #expect(received == Array(0..<total))
        await consumer.cancelAndWait()
        try await withDeadline(.seconds(10), "acks reached the broker") {
            while try await connection.inspectQueue(queue).messageCount != 0 {
                try await Task.sleep(for: .milliseconds(50))
            }
        }
        try await connection.deleteQueue(queue)
    }

    /// A task preferring a closed connection's executor still runs (on the global executor).
    @Test func tasksOutliveTheirConnection() async throws {
        let connection = try await TestBroker.connect("amqp-test-executor-close")
        let queue = TestBroker.unique("test.executor.close")
        try await connection.declareQueue(queue, options: QueueOptions(durable: false, exclusive: true))
        let consumer = try await connection.consume(queue: queue, prefetch: 10)
        let ended = try await withDeadline(.seconds(20), "the consumer loop ends after close") {
            try await withTaskExecutorPreference(connection.taskExecutor) {
                connection.close()
                var outcome = "finished"
                do {
                    for try await _ in consumer {}
                } catch let error as AMQPError {
                    outcome = "\(error.code)"
                }
                // Still able to suspend and resume after the connection's thread is gone.
                try await Task.sleep(for: .milliseconds(10))
                return outcome
            }
        }
        #expect(ended == "\(AMQPError.Code.connectionClosed)")
    }
}

import AMQP
import Testing

@Suite("Batch publish")
struct BatchPublishTests {
    @Test("publish(contentsOf:) returns once every message is confirmed; all of them are in the queue")
    func allConfirmed() async throws {
        let connection = try await TestBroker.connect("amqp-test-batch-publish")
        defer { connection.close() }
        let queue = TestBroker.unique("test.batch-publish")
        try await connection.declareQueue(queue, options: QueueOptions(kind: .classic, arguments: TestBroker.expiring))
        let messages = (0..<2500).map { AMQPMessage(routingKey: queue, body: Array("message \($0)".utf8)) }
        try await withDeadline(.seconds(60), "publish 2500 messages") {
            try await connection.publish(contentsOf: messages)
        }
        #expect(try await connection.inspectQueue(queue).messageCount == 2500)
        try await connection.publish(contentsOf: [])  // nothing to confirm: returns at once
        try await connection.deleteQueue(queue)
    }

    @Test("a message refused by the broker (basic.nack) makes the whole call throw publishNacked")
    func nacked() async throws {
        let connection = try await TestBroker.connect("amqp-test-batch-nack")
        defer { connection.close() }
        let queue = TestBroker.unique("test.batch-nack")
        var arguments = TestBroker.expiring
        arguments["x-max-length"] = .int(2)
        arguments["x-overflow"] = .string("reject-publish")
        try await connection.declareQueue(queue, options: QueueOptions(kind: .classic, arguments: arguments))
        let messages = (0..<5).map { AMQPMessage(routingKey: queue, body: Array("message \($0)".utf8)) }
        let code = try await withDeadline(.seconds(30), "publish into a full queue") { () async -> AMQPError.Code? in
            let error = await #expect(throws: AMQPError.self) { try await connection.publish(contentsOf: messages) }
            return error?.code
        }
        #expect(code == .publishNacked)
        // The first two were confirmed and stored; the call still reported the refusal of the others.
        #expect(try await connection.inspectQueue(queue).messageCount == 2)
        try await connection.deleteQueue(queue)
    }
}

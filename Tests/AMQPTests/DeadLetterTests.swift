import AMQP
import Testing

@Suite("Dead-lettering")
struct DeadLetterTests {
    @Test func nackAndDeadLetterHelperReachTheDeadLetterQueue() async throws {
        let connection = try await TestBroker.connect("amqp-test-dlx")
        defer { connection.close() }
        let dlx = TestBroker.unique("test.dlx")
        let dlq = TestBroker.unique("test.dlq")
        let work = TestBroker.unique("test.work")
        try await connection.declareExchange(dlx, type: .fanout, durable: true)
        try await connection.declareQueue(dlq, options: QueueOptions(kind: .quorum, arguments: TestBroker.expiring))
        try await connection.bindQueue(dlq, exchange: dlx)
        try await connection.declareQueue(work, options: QueueOptions(kind: .quorum, deadLetterExchange: dlx,
                                                                      deliveryLimit: 5, arguments: TestBroker.expiring))
        try await connection.publish(Array("nacked".utf8), routingKey: work, properties: AMQPProperties(messageID: "nacked"))
        try await connection.publish(Array("helper".utf8), routingKey: work, properties: AMQPProperties(
            headers: ["schema": 1, "source": "work"], messageID: "helper"))

        let consumer = try await connection.consume(queue: work, prefetch: 10)
        try await withDeadline(.seconds(20), "work queue") {
            var handled = 0
            for try await delivery in consumer {
                if delivery.properties.messageID == "nacked" {
                    consumer.nack(delivery, requeue: false)
                } else {
                    try await consumer.deadLetter(delivery, exchange: dlx, headers: [
                        "x-reason": "invalid_json", "x-detail": "unexpected end of input at byte 6",
                        "x-original-routing-key": .string(delivery.routingKey), "source": "dead-letter",
                    ])
                }
                handled += 1
                if handled == 2 { break }
            }
        }
        await consumer.cancelAndWait()

        let dead = try await connection.consume(queue: dlq, prefetch: 10)
        let letters = try await withDeadline(.seconds(20), "dead-letter queue") {
            var letters: [String: Delivery] = [:]
            for try await delivery in dead {
                letters[delivery.properties.messageID ?? "?"] = delivery
                dead.ack(delivery)
                if letters.count == 2 { break }
            }
            return letters
        }
        let nacked = try #require(letters["nacked"])
        let death = try #require(nacked.headers["x-death"]?.arrayValue?.first?.tableValue)
        #expect(death["reason"]?.stringValue == "rejected")
        #expect(death["queue"]?.stringValue == work)

        let helper = try #require(letters["helper"])
        #expect(helper.body.text == "helper")
        #expect(helper.headers["x-reason"]?.stringValue == "invalid_json")
        #expect(helper.headers["x-detail"]?.stringValue == "unexpected end of input at byte 6")
        #expect(helper.headers["x-original-routing-key"]?.stringValue == work)
        // The original's headers are kept; an added header replaces one of the same name.
        #expect(helper.headers["schema"] == 1)
        #expect(helper.headers["source"]?.stringValue == "dead-letter")
        #expect(try await connection.inspectQueue(work).messageCount == 0)

        await dead.cancelAndWait()
        try await connection.deleteQueue(work)
        try await connection.deleteQueue(dlq)
        try await connection.deleteExchange(dlx)
    }
}

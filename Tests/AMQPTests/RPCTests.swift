import AMQP
import Testing

@Suite("RPC")
struct RPCTests {
    @Test func twoHundredConcurrentCallsEachGetTheirReply() async throws {
        let serverConnection = try await TestBroker.connect("amqp-test-rpc-server")
        let clientConnection = try await TestBroker.connect("amqp-test-rpc-client")
        defer {
            serverConnection.close()
            clientConnection.close()
        }
        let queue = TestBroker.unique("test.rpc")
        try await serverConnection.declareQueue(queue, options: QueueOptions(durable: false, autoDelete: false,
                                                                             arguments: TestBroker.expiring))
        let server = AMQPRPCServer(connection: serverConnection, queue: queue, prefetch: 50, logger: TestBroker.logger)
        let serving = Task {
            try await server.run { request in
                // Vary the work so replies come back out of order.
                try await Task.sleep(for: .milliseconds(Int.random(in: 0...20)))
                return AMQPRPCReply(body: Array("reply:".utf8) + request.body)
            }
        }
        defer { serving.cancel() }

        let client = AMQPRPCClient(connection: clientConnection, defaultTimeout: .seconds(20))
        let mismatches = try await withDeadline(.seconds(60), "200 calls") {
            try await withThrowingTaskGroup(of: Bool.self) { group in
                for i in 0..<200 {
                    group.addTask {
                        let reply = try await client.call(routingKey: queue, body: Array("request-\(i)".utf8))
                        return reply.body.text == "reply:request-\(i)"
                    }
                }
                var mismatches = 0
                for try await matched in group where !matched { mismatches += 1 }
                return mismatches
            }
        }
        #expect(mismatches == 0)
        serving.cancel()
        try await serverConnection.deleteQueue(queue)
    }

    @Test func callWithoutServerTimesOutWithTypedError() async throws {
        let connection = try await TestBroker.connect("amqp-test-rpc-timeout")
        defer { connection.close() }
        let queue = TestBroker.unique("test.rpc-nobody")
        try await connection.declareQueue(queue, options: QueueOptions(durable: false, exclusive: true))
        let client = AMQPRPCClient(connection: connection)
        let started = ContinuousClock.now
        do {
            _ = try await client.call(routingKey: queue, body: [1, 2, 3], timeout: .milliseconds(500))
            Issue.record("a call with no server got a reply")
        } catch let error as AMQPError {
            #expect(error.code == .timeout, "\(error)")
        }
        let elapsed = ContinuousClock.now - started
        #expect(elapsed >= .milliseconds(500) && elapsed < .seconds(3))
        // The request carried the deadline as expiration: the broker drops it.
        try await Task.sleep(for: .milliseconds(200))
        #expect(try await connection.inspectQueue(queue).messageCount == 0)
    }
}

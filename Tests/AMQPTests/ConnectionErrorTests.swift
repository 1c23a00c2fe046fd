import AMQP
import Testing

@Suite("Connection errors")
struct ConnectionErrorTests {
    @Test func wrongPasswordIsAuthenticationFailed() async throws {
        var config = try TestBroker.configuration(name: "amqp-test-badpass")
        config.password = "definitely-wrong-\(UInt32.random(in: 0...UInt32.max))"
        let started = ContinuousClock.now
        do {
            let connection = try await AMQPConnection.connect(config, logger: TestBroker.logger)
            connection.close()
            Issue.record("login with a wrong password succeeded")
        } catch let error as AMQPError {
            #expect(error.code == .authenticationFailed, "\(error)")
            #expect(error.description.contains(config.username))
            #expect(!error.description.contains(config.password))
        }
        #expect(ContinuousClock.now - started < .seconds(5))
    }

    @Test func unreachablePortIsConnectionRefusedQuickly() async throws {
        var config = try TestBroker.configuration(name: "amqp-test-refused")
        config.port = 1
        let started = ContinuousClock.now
        do {
            _ = try await AMQPConnection.connect(config, logger: TestBroker.logger)
            Issue.record("connected to port 1")
        } catch let error as AMQPError {
            #expect(error.code == .connectionRefused, "\(error)")
            #expect(error.description.contains("127.0.0.1:1") || error.description.contains(":1/"))
        }
        #expect(ContinuousClock.now - started < .seconds(2))
    }

    @Test func unknownVirtualHostIsAccessRefused() async throws {
        var config = try TestBroker.configuration(name: "amqp-test-vhost")
        config.virtualHost = "no-such-vhost-\(UInt32.random(in: 0...UInt32.max))"
        do {
            _ = try await AMQPConnection.connect(config, logger: TestBroker.logger)
            Issue.record("opened a missing virtual host")
        } catch let error as AMQPError {
            #expect(error.code == .accessRefused || error.code == .authenticationFailed, "\(error)")
        }
    }

    @Test func mismatchedRedeclarationIsPreconditionFailedAndChannelRecovers() async throws {
        let connection = try await TestBroker.connect("amqp-test-406")
        defer { connection.close() }
        let queue = TestBroker.unique("test.406")
        try await connection.declareQueue(queue, options: QueueOptions(kind: .quorum, arguments: TestBroker.expiring))
        await #expect(throws: AMQPError.self) {
            try await connection.declareQueue(queue, options: QueueOptions(kind: .classic, arguments: TestBroker.expiring))
        }
        do {
            _ = try await connection.inspectQueue(TestBroker.unique("test.missing"))
            Issue.record("passive declare of a missing queue succeeded")
        } catch let error as AMQPError {
            #expect(error.code == .notFound, "\(error)")
        }
        // The control channel reopens after the broker closed it.
        let state = try await connection.inspectQueue(queue)
        #expect(state.messageCount == 0)
        try await connection.deleteQueue(queue)
    }
}

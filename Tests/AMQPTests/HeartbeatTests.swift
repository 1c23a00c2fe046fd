import AMQP
import Foundation
import Testing

/// Heartbeats with a 2 s interval: an idle connection must stay up, a silent broker must still be
/// detected. Before the fix an idle connection was declared dead after two intervals because
/// rabbitmq-c consumes the broker's heartbeat frames without returning them.
@Suite("Heartbeats")
struct HeartbeatTests {
    static let interval = 2

    /// Connects directly (or through `port`) with a 2 s heartbeat from the URL's query.
    static func connect(_ name: String, port: Int? = nil) async throws -> AMQPConnection {
        let url = TestBroker.url
        var config = try AMQPConfiguration(url: url + (url.contains("?") ? "&" : "?") + "heartbeat=\(interval)")
        config.connectionName = name
        config.connectTimeout = .seconds(2)
        if let port {
            config.host = "127.0.0.1"
            config.port = port
        }
        config.reconnect.maximumDelay = .milliseconds(500)
        return try await AMQPConnection.connect(config, logger: TestBroker.logger)
    }

    @Test func idleConsumerAndPublisherConnectionsStayUpForThreeIntervals() async throws {
        let consumerConnection = try await Self.connect(TestBroker.unique("amqp-test-hb-consume"))
        defer { consumerConnection.close() }
        let publisherConnection = try await Self.connect(TestBroker.unique("amqp-test-hb-publish"))
        defer { publisherConnection.close() }
        #expect(consumerConnection.configuration.heartbeat == .seconds(Self.interval))

        let queue = TestBroker.unique("test.heartbeat")
        try await consumerConnection.declareQueue(queue, options: QueueOptions(kind: .quorum, arguments: TestBroker.expiring))
        let consumer = try await consumerConnection.consume(queue: queue, prefetch: 10)
        // The publisher opens its confirm channel, then has nothing more to say.
        try await publisherConnection.publish(Array("before".utf8), routingKey: queue)
        let first = try await withDeadline(.seconds(10), "first delivery") { try await Self.next(consumer) }
        consumer.ack(first)

        // Idle: no frame but heartbeats in either direction for three and a half intervals.
        try await Task.sleep(for: .milliseconds(Self.interval * 3_500))

        for connection in [consumerConnection, publisherConnection] {
            #expect(connection.reconnects == 0, "\(connection.configuration.connectionName ?? "?") reconnected while idle")
            #expect(connection.generation == 1)
            #expect(connection.state == .connected)
        }
        // And both still work on the same broker connection.
        try await publisherConnection.publish(Array("after".utf8), routingKey: queue)
        let second = try await withDeadline(.seconds(10), "delivery after idling") { try await Self.next(consumer) }
        #expect(second.body.text == "after")
        #expect(!second.redelivered)
        consumer.ack(second)
        #expect(consumerConnection.generation == 1 && publisherConnection.generation == 1)

        await consumer.cancelAndWait()
        try await consumerConnection.deleteQueue(queue)
    }

    @Test func silentBrokerIsDetectedAndTheConnectionComesBack() async throws {
        let broker = try TestBroker.configuration(name: "proxy-target")
        let proxy = try FreezableProxy(forwardingTo: broker.host, port: broker.port)
        defer { proxy.stop() }
        let connection = try await Self.connect(TestBroker.unique("amqp-test-hb-frozen"), port: proxy.port)
        defer { connection.close() }
        let log = StateLog(connection)
        try await log.waitFor(1, within: .seconds(5), "initial state")
        #expect(log.states == [.connected])

        let queue = TestBroker.unique("test.frozen")
        try await connection.declareQueue(queue, options: QueueOptions(kind: .quorum, arguments: TestBroker.expiring))
        let consumer = try await connection.consume(queue: queue, prefetch: 10)

        proxy.freeze()
        let frozenAt = ContinuousClock.now
        // Lost after two silent intervals plus at most one poll tick (half an interval); the
        // bound is generous (four intervals plus slack) because the machine may be loaded.
        try await log.waitFor(2, within: .seconds(Self.interval * 4 + 5), "connection declared lost")
        let silence = ContinuousClock.now - frozenAt
        #expect(log.states == [.connected, .reconnecting])
        #expect(connection.reconnects == 1)
        #expect(!connection.isConnected)
        // Not at once: the last byte before the freeze is at most half an interval old, so two
        // silent intervals end at least one and a half intervals after the freeze.
        #expect(silence >= .seconds(Self.interval), "declared lost after \(silence)")

        // Reconnect attempts fail while frozen (the handshake times out); after unfreezing one
        // succeeds, the consumer resumes and the state says so.
        try await Task.sleep(for: .seconds(Self.interval))
        #expect(connection.state == .reconnecting)
        proxy.unfreeze()
        try await log.waitFor(3, within: .seconds(30), "reconnected after unfreezing")
        #expect(log.states == [.connected, .reconnecting, .connected])
        #expect(connection.generation >= 2)
        #expect(connection.reconnects == 1)
        #expect(proxy.accepted >= 2)

        try await connection.publish(Array("after".utf8), routingKey: queue)
        let delivery = try await withDeadline(.seconds(10), "delivery after reconnect") { try await Self.next(consumer) }
        #expect(delivery.body.text == "after")
        consumer.ack(delivery)

        await consumer.cancelAndWait()
        try await connection.deleteQueue(queue)
        await connection.closeAndWait()
        try await log.waitFor(4, within: .seconds(5), "closed")
        #expect(log.states == [.connected, .reconnecting, .connected, .closed])
        #expect(connection.state == .closed)
    }

    /// The next delivery (each wait takes a fresh iterator: one message per batch here).
    static func next(_ consumer: AMQPConsumer) async throws -> Delivery {
        var iterator = consumer.makeAsyncIterator()
        guard let delivery = try await iterator.next() else {
            throw AMQPError(.consumerCancelled, "the consumer of \(consumer.queue) ended")
        }
        return delivery
    }
}

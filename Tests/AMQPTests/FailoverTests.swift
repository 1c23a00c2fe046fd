import AMQP
import Foundation
import Testing

/// A URL list against the one local broker: a TCP proxy in front of it stands for a second node, so the
/// client's failover (first address that answers, next address after a loss) and its republishing of
/// unconfirmed messages are exercised without a cluster. The three-node cluster tests are in tests/cluster.
@Suite("Failover")
struct FailoverTests {
    /// A configuration for `addresses` with the test broker's credentials and virtual host.
    static func configuration(_ name: String, _ addresses: [AMQPConfiguration.Endpoint]) throws -> AMQPConfiguration {
        var config = try TestBroker.configuration(name: name)
        config.host = addresses[0].host
        config.port = addresses[0].port
        config.failoverEndpoints = Array(addresses.dropFirst())
        config.reconnect.initialDelay = .milliseconds(50)
        config.reconnect.maximumDelay = .milliseconds(500)
        return config
    }

    static var broker: AMQPConfiguration.Endpoint {
        get throws { try AMQPConfiguration(url: TestBroker.url).endpoints[0] }
    }

    /// Port 1 on loopback: nothing listens there, the connect is refused at once.
    static let deadAddress = AMQPConfiguration.Endpoint(host: "127.0.0.1", port: 1)

    @Test func theFirstAddressThatAnswersIsUsed() async throws {
        let config = try Self.configuration(TestBroker.unique("amqp-test-failover-first"), [Self.deadAddress, try Self.broker])
        let connection = try await AMQPConnection.connect(config, logger: TestBroker.logger)
        defer { connection.close() }
        #expect(connection.endpoint == (try Self.broker))
        let queue = TestBroker.unique("test.failover.first")
        try await connection.declareQueue(queue, options: QueueOptions(kind: .quorum, arguments: TestBroker.expiring))
        try await connection.publish(Array("x".utf8), routingKey: queue)
        #expect(try await connection.inspectQueue(queue).messageCount == 1)
        try await connection.deleteQueue(queue)
    }

    @Test func noAddressAnsweringFailsNamingEachWithoutThePassword() async throws {
        var config = try Self.configuration("amqp-test-failover-none", [Self.deadAddress, .init(host: "127.0.0.1", port: 2)])
        config.password = "s3cr3t-in-test"
        do {
            let connection = try await AMQPConnection.connect(config, logger: TestBroker.logger)
            connection.close()
            Issue.record("connected to nothing")
        } catch let error as AMQPError {
            #expect(error.code == .connectionRefused)
            #expect(error.message.contains("none of the 2 brokers"))
            #expect(error.message.contains("127.0.0.1:1/") && error.message.contains("127.0.0.1:2/"), "\(error.message)")
            #expect(!error.message.contains("s3cr3t-in-test"))
        }
    }

    @Test func aLostConnectionMovesToTheNextAddressAndConsumersGoOn() async throws {
        let broker = try Self.broker
        let proxy = try FreezableProxy(forwardingTo: broker.host, port: broker.port)
        defer { proxy.stop() }
        let proxied = AMQPConfiguration.Endpoint(host: "127.0.0.1", port: proxy.port)
        let config = try Self.configuration(TestBroker.unique("amqp-test-failover-next"), [proxied, broker])
        let connection = try await AMQPConnection.connect(config, logger: TestBroker.logger)
        defer { connection.close() }
        #expect(connection.endpoint == proxied)
        let queue = TestBroker.unique("test.failover.next")
        try await connection.declareQueue(queue, options: QueueOptions(kind: .quorum, arguments: TestBroker.expiring))
        let consumer = try await connection.consume(queue: queue, prefetch: 10)
        let states = StateLog(connection)

        proxy.stop()  // the "node" behind the first address dies
        try await states.waitFor(3, within: .seconds(30), "connected → reconnecting → connected")
        #expect(states.states.prefix(3) == [.connected, .reconnecting, .connected])
        #expect(connection.endpoint == broker, "reconnected to \(String(describing: connection.endpoint))")

        // The consumer resumed on the new node.
        try await connection.publish(Array("after".utf8), routingKey: queue)
        let delivery = try await withDeadline(.seconds(20), "delivery after failover") {
            var iterator = consumer.makeAsyncIterator()
            return try #require(try await iterator.next())
        }
        #expect(delivery.body.text == "after")
        consumer.ack(delivery)
        await consumer.cancelAndWait()
        try await connection.deleteQueue(queue)
    }

    /// Messages written but unconfirmed when the connection dies are published again on the next one:
    /// the call returns normally and every message is in the queue (possibly twice, never missing).
    @Test func unconfirmedPublishesAreRepublishedAfterFailover() async throws {
        let broker = try Self.broker
        let proxy = try FreezableProxy(forwardingTo: broker.host, port: broker.port)
        defer { proxy.stop() }
        let proxied = AMQPConfiguration.Endpoint(host: "127.0.0.1", port: proxy.port)
        let config = try Self.configuration(TestBroker.unique("amqp-test-republish"), [proxied, broker])
        let connection = try await AMQPConnection.connect(config, logger: TestBroker.logger)
        defer { connection.close() }
        let queue = TestBroker.unique("test.republish")
        try await connection.declareQueue(queue, options: QueueOptions(kind: .quorum, arguments: TestBroker.expiring))
        try await connection.publish(Array("warm-up".utf8), routingKey: queue)  // the confirm channel is open

        // No confirm can come back through a frozen proxy: the publish is in flight when the node dies.
        proxy.freeze()
        let count = 3_000
        let messages = (0..<count).map {
            AMQPMessage(routingKey: queue, body: Array("m\($0)".utf8), properties: AMQPProperties(messageID: "m\($0)"))
        }
        let publishing = Task { try await connection.publishBatch(messages) }
        try await Task.sleep(for: .milliseconds(300))
        proxy.stop()
        try await withDeadline(.seconds(60), "the publish to be confirmed after failover") { try await publishing.value }
        #expect(connection.endpoint == broker)

        let consumer = try await connection.consume(queue: queue, prefetch: 500)
        let seen = try await withDeadline(.seconds(60), "drain") {
            var seen: [String: Int] = [:]
            for try await delivery in consumer {
                seen[delivery.properties.messageID ?? delivery.body.text, default: 0] += 1
                consumer.ack(delivery)
                // Every id seen once ("warm-up" too), and nothing left behind (a late duplicate).
                if seen.count > count, try await connection.inspectQueue(queue).messageCount == 0 { break }
            }
            return seen
        }
        let missing = messages.compactMap(\.properties.messageID).filter { seen[$0] == nil }
        #expect(missing.isEmpty, "\(missing.count) confirmed messages missing")
        await consumer.cancelAndWait()
        try await connection.deleteQueue(queue)
    }

    @Test func withoutRepublishingTheCallFailsAsBefore() async throws {
        let broker = try Self.broker
        let proxy = try FreezableProxy(forwardingTo: broker.host, port: broker.port)
        defer { proxy.stop() }
        var config = try Self.configuration(TestBroker.unique("amqp-test-no-republish"),
                                            [.init(host: "127.0.0.1", port: proxy.port), broker])
        config.reconnect.republishUnconfirmed = false
        let connection = try await AMQPConnection.connect(config, logger: TestBroker.logger)
        defer { connection.close() }
        try await connection.publish(Array("warm-up".utf8), routingKey: "amq.nonexistent.queue")
        proxy.freeze()
        let publishing = Task { try await connection.publish(Array("x".utf8), routingKey: "amq.nonexistent.queue") }
        try await Task.sleep(for: .milliseconds(200))
        proxy.stop()
        do {
            try await withDeadline(.seconds(30), "the publish to fail") { try await publishing.value }
            Issue.record("confirmed although the connection died before the confirm and republishing is off")
        } catch let error as AMQPError {
            #expect(error.code == .connectionClosed)
        }
    }

    @Test func carriedMessagesFailWhenNoAddressComesBackInTime() async throws {
        let broker = try Self.broker
        let proxy = try FreezableProxy(forwardingTo: broker.host, port: broker.port)
        defer { proxy.stop() }
        var config = try Self.configuration(TestBroker.unique("amqp-test-republish-timeout"),
                                            [.init(host: "127.0.0.1", port: proxy.port)])
        config.reconnect.republishTimeout = .seconds(1)
        let connection = try await AMQPConnection.connect(config, logger: TestBroker.logger)
        defer { connection.close() }
        try await connection.publish(Array("warm-up".utf8), routingKey: "amq.nonexistent.queue")
        proxy.freeze()
        let publishing = Task { try await connection.publish(Array("x".utf8), routingKey: "amq.nonexistent.queue") }
        try await Task.sleep(for: .milliseconds(200))
        proxy.stop()  // the only address: every reconnect is refused
        do {
            try await withDeadline(.seconds(30), "the carried publish to fail") { try await publishing.value }
            Issue.record("confirmed with no broker to take it")
        } catch let error as AMQPError {
            #expect(error.code == .connectionClosed)
            #expect(error.message.contains("not republished"), "\(error.message)")
        }
    }
}

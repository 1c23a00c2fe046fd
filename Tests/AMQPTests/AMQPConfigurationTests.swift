import AMQP
import Testing

@Suite("AMQPConfiguration")
struct AMQPConfigurationTests {
    @Test func parsesFullURL() throws {
        let c = try AMQPConfiguration(url: "amqp://hind%40sight:p%3Ass@broker.local:5673/hind%2Fsight?heartbeat=10&connection_name=x")
        #expect(c.username == "hind@sight")
        #expect(c.password == "p:ss")
        #expect(c.host == "broker.local")
        #expect(c.port == 5673)
        #expect(c.virtualHost == "hind/sight")
        #expect(c.heartbeat == .seconds(10))
        #expect(c.connectionName == "x")
        #expect(c.tls == nil)
    }

    @Test func defaults() throws {
        let c = try AMQPConfiguration(url: "amqp://localhost")
        #expect(c.port == 5672)
        #expect(c.virtualHost == "/")
        #expect(c.username == "guest")
        let tls = try AMQPConfiguration(url: "amqps://u:p@[::1]/%2F?cacertfile=/etc/ca.pem&verify=verify_none")
        #expect(tls.port == 5671)
        #expect(tls.host == "::1")
        #expect(tls.virtualHost == "/")
        #expect(tls.tls?.caCertificatePath == "/etc/ca.pem")
        #expect(tls.tls?.verifyPeer == false)
    }

    @Test(arguments: ["http://x", "amqp://h:99999/v", "amqp://h/a/b", "amqp://h/%zz", "amqp://h?bogus=1", "amqp://h?cacertfile=x"])
    func rejectsBadURLs(_ url: String) {
        #expect(throws: AMQPError.self) { try AMQPConfiguration(url: url) }
    }

    @Test func descriptionRedactsPassword() throws {
        let c = try AMQPConfiguration(url: "amqp://app:s3cr3t@127.0.0.1:5673/orders")
        #expect(!c.description.contains("s3cr3t"))
        #expect(c.redactedURL == "amqp://app@127.0.0.1:5673/orders")
        do {
            _ = try AMQPConfiguration(url: "amqp://u:s3cr3t@h:0/v")
            Issue.record("port 0 accepted")
        } catch {
            #expect(!error.description.contains("s3cr3t"))
            #expect(error.code == .invalidConfiguration)
        }
    }

    @Test func queueArguments() {
        let options = QueueOptions(kind: .quorum, deadLetterExchange: "dlx", deadLetterRoutingKey: "dead",
                                   deliveryLimit: 5, maxLength: 10, messageTTL: .seconds(2), arguments: ["x-extra": true])
        let args = options.declarationArguments
        #expect(args["x-queue-type"] == "quorum")
        #expect(args["x-dead-letter-exchange"] == "dlx")
        #expect(args["x-dead-letter-routing-key"] == "dead")
        #expect(args["x-delivery-limit"] == 5)
        #expect(args["x-max-length"] == 10)
        #expect(args["x-message-ttl"] == 2000)
        #expect(args["x-extra"] == true)
    }
}

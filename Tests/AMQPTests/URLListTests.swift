import AMQP
import Testing

@Suite("AMQP URL list")
struct URLListTests {
    typealias Endpoint = AMQPConfiguration.Endpoint

    @Test func parsesACommaSeparatedList() throws {
        let c = try AMQPConfiguration(url: "amqp://app:s3cr3t@10.0.0.1:5681/hind%2Fsight?heartbeat=10,amqp://app:s3cr3t@10.0.0.2:5682/hind%2Fsight?heartbeat=10, amqp://app:s3cr3t@node3/hind%2Fsight?heartbeat=10")
        #expect(c.host == "10.0.0.1")
        #expect(c.port == 5681)
        #expect(c.failoverEndpoints == [Endpoint(host: "10.0.0.2", port: 5682), Endpoint(host: "node3", port: 5672)])
        #expect(c.endpoints.map(\.description) == ["10.0.0.1:5681", "10.0.0.2:5682", "node3:5672"])
        #expect(c.username == "app")
        #expect(c.password == "s3cr3t")
        #expect(c.virtualHost == "hind/sight")
        #expect(c.heartbeat == .seconds(10))
    }

    @Test func aSingleURLHasNoFailover() throws {
        let c = try AMQPConfiguration(url: "amqp://u:p@h:5673/v")
        #expect(c.failoverEndpoints.isEmpty)
        #expect(c.endpoints == [Endpoint(host: "h", port: 5673)])
        #expect(c.redactedURL == "amqp://u@h:5673/v")
    }

    @Test func aCommaInsideThePasswordBelongsToIt() throws {
        let c = try AMQPConfiguration(url: "amqp://u:a,b@h1:1/v,amqp://u:a,b@h2:2/v")
        #expect(c.password == "a,b")
        #expect(c.endpoints == [Endpoint(host: "h1", port: 1), Endpoint(host: "h2", port: 2)])
    }

    @Test func ipv6AddressesKeepTheirBrackets() throws {
        let c = try AMQPConfiguration(url: "amqp://u:p@[::1]:5681/v,amqp://u:p@[::1]:5682/v")
        #expect(c.endpoints == [Endpoint(host: "::1", port: 5681), Endpoint(host: "::1", port: 5682)])
        #expect(c.redactedURL == "amqp://u@[::1]:5681/v,amqp://u@[::1]:5682/v")
    }

    @Test func redactedURLNamesEveryAddressWithoutThePassword() throws {
        let c = try AMQPConfiguration(url: "amqp://app:s3cr3t@a:1/v,amqp://app:s3cr3t@b:2/v")
        #expect(c.redactedURL == "amqp://app@a:1/v,amqp://app@b:2/v")
        #expect(c.redactedURL(for: Endpoint(host: "b", port: 2)) == "amqp://app@b:2/v")
        #expect(!c.description.contains("s3cr3t"))
    }

    @Test(arguments: [
        ("amqp://u:p@a/v,amqp://x:p@b/v", "user"),
        ("amqp://u:p@a/v,amqp://u:q@b/v", "password"),
        ("amqp://u:p@a/v,amqp://u:p@b/w", "virtual host"),
        ("amqp://u:p@a/v,amqps://u:p@b/v", "scheme"),
        ("amqp://u:p@a/v?heartbeat=5,amqp://u:p@b/v", "query parameters"),
        ("amqp://u:p@a:1/v,amqp://u:p@a:1/v", "appears twice"),
        ("amqp://u:p@a/v,", "empty entry"),
        (",amqp://u:p@a/v", "empty entry"),
        ("amqp://u:p@a/v,,amqp://u:p@b/v", "empty entry"),
        ("amqp://u:p@a/v,amqp://u:p@b:0/v", "port"),
    ])
    func rejectsInconsistentLists(_ url: String, _ reason: String) {
        do {
            _ = try AMQPConfiguration(url: url)
            Issue.record("accepted \(url)")
        } catch {
            #expect(error.code == .invalidConfiguration)
            #expect(error.message.contains(reason), "\(error.message)")
            #expect(!error.message.contains(":p@") && !error.message.contains(":q@"), "a password in \(error.message)")
        }
    }
}

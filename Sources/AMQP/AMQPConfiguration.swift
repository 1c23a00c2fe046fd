/// How to reach and talk to a RabbitMQ broker.
///
/// Create it from a URL (``init(url:)``), typically read from the application's own configuration:
///
/// ```swift
/// var config = try AMQPConfiguration(url: "amqp://user:password@broker.example:5672/%2F?heartbeat=30")
/// config.connectionName = "orders-worker"
/// ```
///
/// The ``description`` redacts the password, so the configuration can be logged at startup.
public struct AMQPConfiguration: Sendable, CustomStringConvertible {
    /// TLS settings for `amqps://` connections.
    public struct TLS: Sendable, Hashable {
        /// PEM file of the certificate authorities that sign the broker's certificate.
        /// Defaults to `nil` (the library's defaults).
        public var caCertificatePath: String?
        /// Client certificate (PEM) for mutual TLS. Defaults to `nil`.
        public var clientCertificatePath: String?
        /// Client private key (PEM) for mutual TLS. Defaults to `nil`.
        public var clientKeyPath: String?
        /// Verify the broker's certificate chain. Defaults to `true`.
        public var verifyPeer: Bool
        /// Verify that the certificate names the host. Defaults to `true`.
        public var verifyHostname: Bool

        /// Creates TLS settings; every parameter restates its default.
        public init(caCertificatePath: String? = nil, clientCertificatePath: String? = nil,
                    clientKeyPath: String? = nil, verifyPeer: Bool = true, verifyHostname: Bool = true) {
            self.caCertificatePath = caCertificatePath
            self.clientCertificatePath = clientCertificatePath
            self.clientKeyPath = clientKeyPath
            self.verifyPeer = verifyPeer
            self.verifyHostname = verifyHostname
        }
    }

    /// How a lost connection is re-established.
    public struct Reconnect: Sendable, Hashable {
        /// Reconnect after a connection that was once established is lost. Defaults to `true`.
        public var enabled: Bool
        /// Delay before the first attempt. Defaults to 100 ms.
        public var initialDelay: Duration
        /// Upper bound of the exponentially growing delay. Defaults to 30 s.
        public var maximumDelay: Duration
        /// Messages written but not yet confirmed (and those queued behind them) when the connection
        /// is lost are published again on the next connection, and their `publish` calls go on
        /// waiting, instead of failing with ``AMQPError/Code/connectionClosed``. Defaults to `true`.
        public var republishUnconfirmed: Bool
        /// How long such messages wait for the next connection; past it their calls fail with
        /// ``AMQPError/Code/connectionClosed``. Defaults to 30 s.
        public var republishTimeout: Duration

        /// Creates a reconnect policy; every parameter restates its default.
        public init(enabled: Bool = true, initialDelay: Duration = .milliseconds(100),
                    maximumDelay: Duration = .seconds(30), republishUnconfirmed: Bool = true,
                    republishTimeout: Duration = .seconds(30)) {
            self.enabled = enabled
            self.initialDelay = initialDelay
            self.maximumDelay = maximumDelay
            self.republishUnconfirmed = republishUnconfirmed
            self.republishTimeout = republishTimeout
        }
    }

    /// One broker address: a host and a TCP port (a node of a cluster, when there are several).
    public struct Endpoint: Sendable, Hashable, CustomStringConvertible {
        /// Host name or IP address.
        public var host: String
        /// TCP port.
        public var port: Int

        /// Creates an address.
        public init(host: String, port: Int) {
            self.host = host
            self.port = port
        }

        /// `host:port`, with an IPv6 address in brackets.
        public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
    }

    /// Host name or IP address of the broker (the first one, when there are several).
    public var host: String
    /// TCP port. Defaults to `5672` (`5671` for `amqps://`).
    public var port: Int
    /// Further brokers — the other nodes of a cluster — with the same credentials, virtual host and
    /// settings. The first connect tries ``host``:``port`` and then these in order and keeps the
    /// first that answers; after a loss the client reconnects to the next address of the list
    /// (round robin). Defaults to empty (a URL list sets it).
    public var failoverEndpoints: [Endpoint] = []

    /// Every broker address, in the order they are tried: ``host``:``port`` first, then
    /// ``failoverEndpoints``.
    public var endpoints: [Endpoint] { [Endpoint(host: host, port: port)] + failoverEndpoints }
    /// Virtual host. Defaults to `/`.
    public var virtualHost: String
    /// User name for PLAIN authentication. Defaults to `guest`.
    public var username: String
    /// Password for PLAIN authentication. Never printed. Defaults to `guest`.
    public var password: String
    /// TLS settings; `nil` for plain TCP. Defaults to `nil` (`amqps://` sets it).
    public var tls: TLS?
    /// Heartbeat interval proposed to the broker; `.zero` disables heartbeats. Defaults to 30 s.
    public var heartbeat: Duration = .seconds(30)
    /// Connection name shown by the management UI and `rabbitmqctl list_connections`. Defaults to `nil`.
    public var connectionName: String?
    /// Largest frame size proposed to the broker. Defaults to `131072`.
    public var frameMax: Int = 131_072
    /// Time allowed for the TCP connect and, separately, for the AMQP handshake. Defaults to 5 s.
    public var connectTimeout: Duration = .seconds(5)
    /// Time allowed for a synchronous broker operation (declare, bind, consume…). Defaults to 30 s.
    public var operationTimeout: Duration = .seconds(30)
    /// Most published messages awaiting a publisher confirm at once; further publishes wait
    /// their turn on the connection's thread. Defaults to `1000`.
    public var publishWindow: Int = 1000
    /// Reconnect policy. Defaults to ``Reconnect/init(enabled:initialDelay:maximumDelay:)``.
    public var reconnect = Reconnect()
    /// The `product` client property, shown by the management UI. Defaults to
    /// `"swift-amqp (rabbitmq-c)"`.
    public var productName = "swift-amqp (rabbitmq-c)"
    /// Further client properties sent at login (e.g. `"version"`, `"platform"`); they override
    /// ``productName`` and ``connectionName`` when they use the same key, never the capabilities.
    /// Defaults to empty.
    public var clientProperties: AMQPTable = [:]
    /// Prefix of the consumer tags generated when ``AMQPConnection/consume(queue:prefetch:consumerTag:exclusive:arguments:maxBufferedBytes:)``
    /// gets no tag: `"<prefix>-<queue>-<random>"`. Defaults to `"ctag"`.
    public var consumerTagPrefix = "ctag"

    /// Creates a configuration from its parts.
    public init(host: String = "127.0.0.1", port: Int? = nil, virtualHost: String = "/",
                username: String = "guest", password: String = "guest", tls: TLS? = nil) {
        self.host = host
        self.port = port ?? (tls == nil ? 5672 : 5671)
        self.virtualHost = virtualHost
        self.username = username
        self.password = password
        self.tls = tls
    }

    /// Parses `amqp://user:pass@host:port/vhost` or `amqps://…`, or a comma-separated list of
    /// such URLs, one per node of a cluster.
    ///
    /// User, password and virtual host are percent-decoded (`%2F` is `/`, so the default virtual
    /// host is written `amqp://host/%2F`; an empty path also means `/`). Query parameters
    /// understood: `heartbeat` (seconds), `connection_timeout` (milliseconds), `frame_max`,
    /// `connection_name`, and for TLS `cacertfile`, `certfile`, `keyfile`, `verify`
    /// (`verify_peer` or `verify_none`).
    ///
    /// In a list (`amqp://u:p@node1:5672/v,amqp://u:p@node2:5672/v`) every URL names the same
    /// scheme, user, password, virtual host and query parameters; only host and port differ, and
    /// no address appears twice. The first becomes ``host``/``port``, the others
    /// ``failoverEndpoints``. Only a comma followed by `amqp://` or `amqps://` separates URLs, so
    /// a comma inside a password or a file path needs no escaping.
    ///
    /// - Throws: ``AMQPError`` with code ``AMQPError/Code/invalidConfiguration``.
    public init(url: String) throws(AMQPError) {
        self = try URLParser.parse(url)
    }

    /// The URL without the password, e.g. `amqp://user@broker.example:5672/%2F`; with
    /// ``failoverEndpoints``, one such URL per address, comma-separated.
    public var redactedURL: String {
        endpoints.map(redactedURL(for:)).joined(separator: ",")
    }

    /// The URL of one address without the password, e.g. `amqp://user@node2:5672/%2F`.
    public func redactedURL(for endpoint: Endpoint) -> String {
        let scheme = tls == nil ? "amqp" : "amqps"
        let vhost = virtualHost == "/" ? "%2F" : URLParser.percentEncode(virtualHost)
        return "\(scheme)://\(URLParser.percentEncode(username))@\(endpoint)/\(vhost)"
    }

    /// This configuration for one address only: ``host``/``port`` set to it, no failover.
    func pinned(to endpoint: Endpoint) -> AMQPConfiguration {
        var copy = self
        copy.host = endpoint.host
        copy.port = endpoint.port
        copy.failoverEndpoints = []
        return copy
    }

    public var description: String {
        var parts = ["url: \(redactedURL)", "heartbeat: \(heartbeat)", "frameMax: \(frameMax)",
                     "connectTimeout: \(connectTimeout)"]
        if let connectionName { parts.append("connectionName: \(connectionName)") }
        if let tls {
            parts.append("tls: verifyPeer=\(tls.verifyPeer) verifyHostname=\(tls.verifyHostname) ca=\(tls.caCertificatePath ?? "default")")
        }
        return "AMQPConfiguration(\(parts.joined(separator: ", ")))"
    }
}

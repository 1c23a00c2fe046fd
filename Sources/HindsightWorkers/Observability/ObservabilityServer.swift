import Hummingbird
public import Logging
public import Prometheus
public import ServiceLifecycle

/// The HTTP endpoints every worker exposes: `/metrics` (Prometheus text format), `/health` (the process
/// runs: always 200) and `/ready` (200 when every dependency is up, else 503 with the list).
public struct ObservabilityServer: Service {
    /// Where the endpoints listen.
    public struct Configuration: Sendable {
        /// Host to bind. Defaults to `"0.0.0.0"` (containers); use `"127.0.0.1"` for local runs.
        public var host: String = "0.0.0.0"
        /// Port to bind; `0` picks a free port (reported through `onRunning`). Defaults to `9090`.
        public var port: Int = 9090

        public init(host: String = "0.0.0.0", port: Int = 9090) {
            self.host = host
            self.port = port
        }
    }

    private let application: Application<RouterResponder<BasicRequestContext>>

    /// - Parameters:
    ///   - configuration: The address to listen on.
    ///   - registry: The Prometheus registry the worker's metrics are recorded in.
    ///   - health: The dependency states behind `/ready`.
    ///   - logger: Where the server logs.
    ///   - onRunning: Called with the bound port once the server listens.
    public init(
        configuration: Configuration,
        registry: PrometheusCollectorRegistry,
        health: HealthState,
        logger: Logger,
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) {
        let router = Router()
        router.get("/metrics") { _, _ -> Response in
            var buffer = ByteBuffer()
            buffer.writeBytes(registry.emitToBuffer())
            return Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: buffer))
        }
        router.get("/health") { _, _ -> Response in
            Self.json(status: .ok, health: health)
        }
        router.get("/ready") { _, _ -> Response in
            Self.json(status: health.isReady ? .ok : .serviceUnavailable, health: health)
        }
        self.application = Application(
            router: router,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "hindsight"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? configuration.port) },
            logger: logger)
    }

    public func run() async throws {
        try await application.run()
    }

    private static func json(status: HTTPResponse.Status, health: HealthState) -> Response {
        let parts = health.snapshot.map { "\"\($0.0)\":\"\($0.1.rawValue)\"" }.joined(separator: ",")
        // Which broker node each connection is on (`host:port`; never credentials).
        let brokers = health.brokerSnapshot.map { name, node in
            "\"\(name)\":\"\(node.filter { $0 != "\"" && $0 != "\\" && !$0.isNewline })\""
        }.joined(separator: ",")
        let body = "{\"ready\":\(health.isReady),\"components\":{\(parts)},\"brokers\":{\(brokers)}}\n"
        return Response(
            status: status, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}

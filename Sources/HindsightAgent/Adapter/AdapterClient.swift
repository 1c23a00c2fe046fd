public import AMQP
public import HindsightCore

/// Asks the adapter (`hindsight adapter`) for an optimized plan, a recovery strategy or an estimate.
///
/// Requests go to the `hindsight.rpc` exchange with routing key `adapter`; replies come back through
/// RabbitMQ's direct reply-to, matched by correlation id, so any number of concurrent calls share one
/// connection. Every call has a timeout, sent along as the request's deadline: an adapter that sees the
/// request after it drops it unanswered.
///
/// ```swift
/// let connection = try await AMQPConnection.connect(try AMQPConfiguration(url: url), logger: logger)
/// let adapter = AdapterClient(connection: connection)
/// let reply = try await adapter.optimize(PlanOptimizeRequest(domain: "etl", goal: "Load sales", plan: phases))
/// print(reply.result.phases.map(\.name), reply.result.confidence)
/// ```
public struct AdapterClient: Sendable {
    /// Per-method timeouts.
    public struct Timeouts: Hashable, Sendable {
        /// For ``AdapterClient/optimize(_:timeout:)`` (similar executions hit PostgreSQL). Default 2 s.
        public var optimize: Duration
        /// For ``AdapterClient/recoveryStrategy(for:timeout:)``; an agent is waiting mid-failure. Default 1 s.
        public var recoveryStrategy: Duration
        /// For ``AdapterClient/estimate(_:timeout:)``. Default 1 s.
        public var estimate: Duration

        /// Creates timeouts; every parameter restates its default.
        public init(optimize: Duration = .seconds(2), recoveryStrategy: Duration = .seconds(1), estimate: Duration = .seconds(1)) {
            self.optimize = optimize
            self.recoveryStrategy = recoveryStrategy
            self.estimate = estimate
        }
    }

    /// The default timeouts, used when a call passes none.
    public var timeouts: Timeouts
    private let rpc: AMQPRPCClient
    private let routingKey: String

    /// Creates a client on a connection the application opened (and closes).
    ///
    /// - Parameters:
    ///   - exchange: where requests go; the adapter's RPC exchange unless a test uses a private one.
    ///   - routingKey: the key bound to the adapter queue.
    public init(connection: AMQPConnection, timeouts: Timeouts = Timeouts(),
                exchange: String = AdapterEnvelope.exchange, routingKey: String = AdapterEnvelope.routingKey) {
        self.rpc = AMQPRPCClient(connection: connection, exchange: exchange)
        self.routingKey = routingKey
        self.timeouts = timeouts
    }

    /// `plan.optimize`: the adapted plan with its changes, evidence, similar executions and A/B variant.
    public func optimize(_ request: PlanOptimizeRequest, timeout: Duration? = nil) async throws(AdapterClientError) -> RPCReply<PlanOptimizeResult> {
        try await call(.planOptimize, request, PlanOptimizeResult.self, timeout: timeout ?? timeouts.optimize)
    }

    /// `recovery.strategy`: what to do about a failure, chosen from what has worked in the domain.
    public func recoveryStrategy(for request: RecoveryStrategyRequest, timeout: Duration? = nil) async throws(AdapterClientError) -> RPCReply<RecoveryStrategyResult> {
        try await call(.recoveryStrategy, request, RecoveryStrategyResult.self, timeout: timeout ?? timeouts.recoveryStrategy)
    }

    /// `estimate`: per-phase and total durations with intervals.
    public func estimate(_ request: EstimateRequest, timeout: Duration? = nil) async throws(AdapterClientError) -> RPCReply<EstimateResult> {
        try await call(.estimate, request, EstimateResult.self, timeout: timeout ?? timeouts.estimate)
    }

    /// Sends any body under any method name; for tests and tools that need to send what the typed
    /// methods cannot (e.g. a malformed request). Returns the raw reply body.
    public func send(method: String, body: [UInt8], timeout: Duration, headers: AMQPTable? = nil) async throws(AdapterClientError) -> [UInt8] {
        let known = RPCMethod(rawValue: method) ?? .planOptimize
        var properties = AdapterEnvelope.properties(method: known, timeout: timeout, nowMilliseconds: AdapterEnvelope.nowMilliseconds())
        properties.type = method
        if let headers { properties.headers = headers }
        return try await exchange(known, body: body, properties: properties, timeout: timeout)
    }

    private func call<Result: Codable & Sendable>(
        _ method: RPCMethod, _ request: some Encodable, _ result: Result.Type, timeout: Duration
    ) async throws(AdapterClientError) -> RPCReply<Result> {
        let properties = AdapterEnvelope.properties(method: method, timeout: timeout, nowMilliseconds: AdapterEnvelope.nowMilliseconds())
        let body = try await exchange(method, body: AdapterEnvelope.body(request), properties: properties, timeout: timeout)
        return try AdapterEnvelope.decodeReply(result, method: method, from: body)
    }

    private func exchange(_ method: RPCMethod, body: [UInt8], properties: AMQPProperties, timeout: Duration) async throws(AdapterClientError) -> [UInt8] {
        do {
            return try await rpc.call(routingKey: routingKey, body: body, properties: properties, timeout: timeout).body
        } catch let error as AMQPError where error.code == .timeout {
            throw .timeout(method: method, milliseconds: timeout.wholeMilliseconds)
        } catch {
            throw .connection("\(error)")
        }
    }
}

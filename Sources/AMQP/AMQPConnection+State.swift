extension AMQPConnection {
    /// Whether a connection can serve operations right now.
    ///
    /// A connection starts ``connected`` (``AMQPConnection/connect(_:logger:)`` returns only
    /// after logging in), becomes ``reconnecting`` when the broker connection is lost (socket
    /// error, `connection.close` from the broker, two missed heartbeats) and ``connected`` again
    /// once the topology is declared again and the consumers have resumed. ``closed`` is final:
    /// the application closed it, or it was lost with reconnecting disabled.
    public enum State: Sendable, Hashable, CustomStringConvertible {
        /// Logged in; the recorded topology and consumers are in place.
        case connected
        /// The broker connection was lost; the client is re-establishing it. Operations fail at
        /// once with ``AMQPError/Code/connectionClosed`` meanwhile.
        case reconnecting
        /// Closed for good; every operation fails.
        case closed

        /// `connected`, `reconnecting` or `closed`.
        public var description: String {
            switch self {
            case .connected: "connected"
            case .reconnecting: "reconnecting"
            case .closed: "closed"
            }
        }
    }

    /// The connection's current state.
    public var state: State { core.state }

    /// Follows the connection's state: the current state first, then every change, until the
    /// connection is closed (the stream ends after yielding ``State/closed``).
    ///
    /// Each call returns a new, independent stream, so several observers (a readiness probe, a
    /// metrics gauge) can follow the same connection. Nothing is dropped: consume the stream or
    /// cancel the task iterating it.
    ///
    /// ```swift
    /// for await state in connection.stateChanges() {
    ///     readiness.set(state == .connected)   // e.g. a `/ready` endpoint
    /// }
    /// ```
    ///
    /// - Returns: an `AsyncStream` of ``State``.
    public func stateChanges() -> AsyncStream<State> { core.stateChanges() }

    /// The broker address (cluster node) of the current connection, or of the last one while
    /// reconnecting: one of ``AMQPConfiguration/endpoints``. Log it or show it in a health check to
    /// tell which node a worker is on.
    public var endpoint: AMQPConfiguration.Endpoint? { core.endpoint }

    /// The number of the current broker connection: 1 after the first connect, one more after
    /// each successful reconnect. For tests.
    package var generation: UInt64 { core.generation }

    /// How many times an established connection was lost (and reconnecting began). For tests.
    package var reconnects: Int { core.reconnects }
}

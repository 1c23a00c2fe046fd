public import AMQP
import Synchronization

/// Readiness of the parts a worker depends on (broker, database, …), shared by the worker and its
/// `/health` and `/ready` endpoints.
public final class HealthState: Sendable {
    /// The state of one dependency.
    public enum Status: String, Sendable {
        case starting, up, down
        /// Serving, without a dependency it can do without (e.g. the adapter answering from its cache
        /// while PostgreSQL is down): counts as ready, and `/ready` shows it.
        case degraded
    }

    private let components = Mutex<[String: Status]>([:])
    private let brokers = Mutex<[String: String]>([:])

    public init() {}

    /// Records the status of `component` (e.g. `"amqp"`, `"postgres"`).
    public func set(_ component: String, _ status: Status) {
        components.withLock { $0[component] = status }
    }

    /// Every component and its status, sorted by name.
    public var snapshot: [(String, Status)] {
        components.withLock { $0.sorted { $0.key < $1.key } }
    }

    /// The broker address (`host:port`, a cluster node) each followed connection is on, or was last
    /// on while it reconnects, sorted by component name.
    public var brokerSnapshot: [(String, String)] {
        brokers.withLock { $0.sorted { $0.key < $1.key } }
    }

    /// True when every registered component is up (or degraded).
    public var isReady: Bool {
        components.withLock { $0.values.allSatisfy { $0 == .up || $0 == .degraded } }
    }

    /// Follows a broker connection's state into `component`: up while connected, down while it
    /// reconnects and once it is closed; and the node it is connected to (``brokerSnapshot``). Returns when the connection is closed or the calling task is
    /// cancelled; run it in a child task of the worker that owns the connection.
    ///
    /// ```swift
    /// group.addTask { await health.follow(connection, as: "amqp") }
    /// ```
    ///
    /// - Parameters:
    ///   - connection: The connection to follow.
    ///   - component: The component name, e.g. `"amqp"`.
    public func follow(_ connection: AMQPConnection, as component: String) async {
        for await state in connection.stateChanges() {
            if state == .connected, let endpoint = connection.endpoint {
                brokers.withLock { $0[component] = endpoint.description }
            }
            set(component, state == .connected ? .up : .down)
        }
    }
}

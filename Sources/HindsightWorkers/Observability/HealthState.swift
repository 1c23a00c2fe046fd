import Synchronization

/// Readiness of the parts a worker depends on (broker, database, …), shared by the worker and its
/// `/health` and `/ready` endpoints.
public final class HealthState: Sendable {
    /// The state of one dependency.
    public enum Status: String, Sendable {
        case starting, up, down
    }

    private let components = Mutex<[String: Status]>([:])

    public init() {}

    /// Records the status of `component` (e.g. `"amqp"`, `"postgres"`).
    public func set(_ component: String, _ status: Status) {
        components.withLock { $0[component] = status }
    }

    /// Every component and its status, sorted by name.
    public var snapshot: [(String, Status)] {
        components.withLock { $0.sorted { $0.key < $1.key } }
    }

    /// True when every registered component is up.
    public var isReady: Bool {
        components.withLock { $0.values.allSatisfy { $0 == .up } }
    }
}

package import Logging
package import ServiceLifecycle

/// Thrown by ``withServices(_:logger:_:)`` when the services stopped before `body` produced a result.
package struct ServicesStoppedEarly: Error, CustomStringConvertible {
    package var description: String { "the services stopped before the work running beside them finished" }
}

/// Runs `services` in a `ServiceGroup` while `body` runs, then shuts them down gracefully and returns
/// `body`'s result (in-process trackers for the ingestion benchmark and the integration tests).
///
/// - Throws: `body`'s error, a service's error, or ``ServicesStoppedEarly``.
package func withServices<T: Sendable>(
    _ services: [ServiceGroupConfiguration.ServiceConfiguration], logger: Logger,
    _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    let group = ServiceGroup(configuration: .init(services: services, logger: logger))
    return try await withThrowingTaskGroup(of: T?.self) { tasks in
        tasks.addTask { try await group.run(); return nil }
        tasks.addTask {
            defer { Task { await group.triggerGracefulShutdown() } }
            return try await body()
        }
        var result: T?
        for try await value in tasks where value != nil { result = value }
        guard let result else { throw ServicesStoppedEarly() }
        return result
    }
}

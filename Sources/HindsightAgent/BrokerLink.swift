import AMQP
import Logging
import Synchronization

/// The publisher's way to the broker: a connection the application gave it, or one it opens itself
/// on first use (so a publisher can be created, and spool, while the broker is down at start).
///
/// An opened connection reconnects by itself after a loss (``AMQPConnection``); this type only
/// covers the first connection, retried no sooner than a growing delay so that publishes during an
/// outage fail fast to the spool instead of waiting for a connect timeout each.
final class BrokerLink: Sendable {
    private enum Source {
        case shared(AMQPConnection)
        case owned(AMQPConfiguration)
    }

    private struct State {
        var connection: AMQPConnection?
        var connecting: Task<AMQPConnection, any Error>?
        var retryAt: ContinuousClock.Instant?
        var failures = 0
        var closed = false
    }

    private let source: Source
    private let reconnectDelay: Duration
    private let maxReconnectDelay: Duration
    private let logger: Logger
    private let state = Mutex(State())

    init(connection: AMQPConnection, logger: Logger) {
        source = .shared(connection)
        reconnectDelay = .zero
        maxReconnectDelay = .zero
        self.logger = logger
    }

    init(configuration: AMQPConfiguration, reconnectDelay: Duration, maxReconnectDelay: Duration, logger: Logger) {
        source = .owned(configuration)
        self.reconnectDelay = reconnectDelay
        self.maxReconnectDelay = maxReconnectDelay
        self.logger = logger
    }

    /// The connection to publish on.
    ///
    /// - Throws: ``AMQPError`` from the connection attempt, or ``AMQPError/Code/connectionRefused``
    ///   without an attempt while the retry delay of the last failure runs.
    func connection() async throws(AMQPError) -> AMQPConnection {
        let configuration: AMQPConfiguration
        switch source {
        case .shared(let connection): return connection
        case .owned(let owned): configuration = owned
        }
        enum Step {
            case ready(AMQPConnection)
            case wait(Task<AMQPConnection, any Error>)
            case fail(AMQPError)
        }
        let now = ContinuousClock.now
        let step: Step = state.withLock { state in
            if state.closed { return .fail(AMQPError(.connectionClosed, "the event publisher is closed")) }
            if let connection = state.connection { return .ready(connection) }
            if let task = state.connecting { return .wait(task) }
            if let retryAt = state.retryAt, now < retryAt {
                return .fail(AMQPError(
                    .connectionRefused,
                    "\(configuration.redactedURL) was unreachable at the last attempt; next attempt in \(retryAt - now)"))
            }
            let logger = self.logger
            let task = Task { try await AMQPConnection.connect(configuration, logger: logger) }
            state.connecting = task
            return .wait(task)
        }
        switch step {
        case .ready(let connection):
            return connection
        case .fail(let error):
            throw error
        case .wait(let task):
            do {
                let connection = try await task.value
                let keep = state.withLock { state -> Bool in
                    state.connecting = nil
                    state.failures = 0
                    state.retryAt = nil
                    guard !state.closed else { return false }
                    state.connection = connection
                    return true
                }
                if !keep {
                    connection.close()
                    throw AMQPError(.connectionClosed, "the event publisher is closed")
                }
                return connection
            } catch {
                let amqpError = error as? AMQPError ?? AMQPError(.connectionRefused, "connecting failed: \(error)")
                state.withLock { state in
                    guard state.connecting == task else { return }
                    state.connecting = nil
                    let delay = min(maxReconnectDelay, reconnectDelay * (1 << min(state.failures, 16)))
                    state.retryAt = ContinuousClock.now + delay
                    state.failures += 1
                }
                throw amqpError
            }
        }
    }

    /// Forgets an opened connection that will not come back by itself (its reconnect is disabled),
    /// so that the next publish opens a new one.
    func connectionFailed(_ connection: AMQPConnection) {
        guard case .owned = source, !connection.configuration.reconnect.enabled, !connection.isConnected else { return }
        let dropped = state.withLock { state -> Bool in
            guard state.connection === connection else { return false }
            state.connection = nil
            return true
        }
        if dropped { connection.close() }
    }

    /// Closes an opened connection and refuses further use; a shared connection is left open.
    func close() async {
        let (connection, task) = state.withLock { state in
            state.closed = true
            defer {
                state.connection = nil
                state.connecting = nil
            }
            return (state.connection, state.connecting)
        }
        task?.cancel()
        if case .owned = source, let connection { await connection.closeAndWait() }
    }
}

import Foundation
import Logging
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The part of a connection shared between async callers and the connection's own thread: a
/// lock-protected command queue plus a self-pipe that wakes the thread's `poll(2)`.
///
/// rabbitmq-c is blocking and not thread-safe, so every call into it happens on one dedicated
/// thread (``Session``); async code only enqueues closures here and awaits continuations.
final class ConnectionCore: Sendable {
    typealias Command = @Sendable (Session) -> Void

    struct Shared {
        var commands: [Command] = []
        var wakePending = false
        var closed = false
        var connected = false
    }

    let configuration: AMQPConfiguration
    let logger: Logger
    let wakeRead: Int32
    let wakeWrite: Int32
    private let shared = Mutex(Shared())

    init(configuration: AMQPConfiguration, logger: Logger) throws(AMQPError) {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else {
            throw AMQPError(.connectionRefused, "cannot create a wake-up pipe (errno \(errno)) — raise the open-file limit")
        }
        for fd in fds {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        wakeRead = fds[0]
        wakeWrite = fds[1]
        self.configuration = configuration
        self.logger = logger
    }

    deinit {
        close(wakeRead)
        close(wakeWrite)
    }

    /// Starts the connection thread, which connects and reports the outcome.
    func start() async throws {
        try await withCheckedThrowingContinuation { (started: CheckedContinuation<Void, any Error>) in
            let thread = Thread { [self] in
                Session(core: self).run(started: started)
            }
            // Linux keeps 15 bytes of a thread name.
            thread.name = String("amqp-\(configuration.connectionName ?? configuration.host)".utf8.prefix(15)) ?? "amqp"
            thread.stackSize = 1 << 20
            thread.start()
        }
    }

    /// Enqueues a command for the connection thread; `false` once the connection is closed.
    @discardableResult
    func submit(_ command: @escaping Command) -> Bool {
        let wake: Bool? = shared.withLock { s in
            guard !s.closed else { return nil }
            s.commands.append(command)
            if s.wakePending { return false }
            s.wakePending = true
            return true
        }
        guard let wake else { return false }
        if wake {
            var byte: UInt8 = 1
            _ = write(wakeWrite, &byte, 1)
        }
        return true
    }

    /// Runs `body` on the connection thread and returns its result.
    func perform<T: Sendable>(_ body: @escaping @Sendable (Session) throws -> T) async throws(AMQPError) -> T {
        let result: Result<T, AMQPError> = await withCheckedContinuation { continuation in
            let accepted = submit { session in
                do {
                    continuation.resume(returning: .success(try body(session)))
                } catch let error as AMQPError {
                    continuation.resume(returning: .failure(error))
                } catch {
                    continuation.resume(returning: .failure(AMQPError(.protocolError, "unexpected error \(error)")))
                }
            }
            if !accepted { continuation.resume(returning: .failure(closedError)) }
        }
        return try result.get()
    }

    var closedError: AMQPError {
        AMQPError(.connectionClosed, "the connection to \(configuration.redactedURL) was closed by the application — open a new one")
    }

    // MARK: Called on the connection thread

    /// Takes the queued commands. The pipe is drained first so a wake-up written after this
    /// point is never lost.
    func takeCommands() -> [Command] {
        var buffer = [UInt8](repeating: 0, count: 64)
        while read(wakeRead, &buffer, buffer.count) > 0 {}
        return shared.withLock { s in
            s.wakePending = false
            defer { s.commands = [] }
            return s.commands
        }
    }

    var hasCommands: Bool { shared.withLock { !$0.commands.isEmpty } }

    var isConnected: Bool { shared.withLock { $0.connected } }

    func setConnected(_ connected: Bool) { shared.withLock { $0.connected = connected } }

    /// Refuses further commands and returns those still queued.
    func markClosed() -> [Command] {
        shared.withLock { s in
            s.closed = true
            s.connected = false
            defer { s.commands = [] }
            return s.commands
        }
    }
}

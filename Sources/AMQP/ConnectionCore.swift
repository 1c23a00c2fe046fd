import Foundation
import Logging
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The part of a connection shared between async callers and the connection's own thread: a
/// lock-protected queue of commands and jobs plus a self-pipe that wakes the thread's `poll(2)`.
///
/// rabbitmq-c is blocking and not thread-safe, so every call into it happens on one dedicated
/// thread (``Session``); async code only enqueues closures here and awaits continuations.
///
/// The core is also a `TaskExecutor`: a task that prefers it runs on the connection thread
/// between two turns of its loop. A consumer loop run that way receives each batch without a
/// thread hop (the deliveries are handed over on the thread that decoded them), which is where
/// most of the client's cost per message went.
final class ConnectionCore: TaskExecutor, Sendable {
    typealias Command = @Sendable (Session) -> Void

    struct Shared {
        var commands: [Command] = []
        var jobs: [UnownedJob] = []
        /// The thread is in (or about to enter) `poll(2)`: enqueuers must write to the pipe.
        var sleeping = false
        var wakePending = false
        var closed = false
    }

    /// What observers of the connection see; guarded separately from ``Shared`` because yielding
    /// to a stream may enqueue a job on this very executor, which takes the ``Shared`` lock.
    struct Observed {
        var state: AMQPConnection.State = .reconnecting
        var generation: UInt64 = 0
        var reconnects = 0
        var endpoint: AMQPConfiguration.Endpoint?
        var observers: [Int: AsyncStream<AMQPConnection.State>.Continuation] = [:]
        var nextObserver = 0
    }

    let configuration: AMQPConfiguration
    let logger: Logger
    let wakeRead: Int32
    let wakeWrite: Int32
    private let shared = Mutex(Shared())
    private let observed = Mutex(Observed())

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
        let outcome: Bool? = shared.withLock { s in
            guard !s.closed else { return nil }
            s.commands.append(command)
            return Self.needsWake(&s)
        }
        guard let outcome else { return false }
        if outcome { wake() }
        return true
    }

    /// Runs a job of a task that prefers this executor on the connection thread. Once the
    /// connection is closed its thread is gone, so jobs go to the global executor instead.
    func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        let outcome: Bool? = shared.withLock { s in
            guard !s.closed else { return nil }
            s.jobs.append(unowned)
            return Self.needsWake(&s)
        }
        guard let outcome else {
            globalConcurrentExecutor.enqueue(ExecutorJob(unowned))
            return
        }
        if outcome { wake() }
    }

    private static func needsWake(_ s: inout Shared) -> Bool {
        guard s.sleeping, !s.wakePending else { return false }
        s.wakePending = true
        return true
    }

    private func wake() {
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)
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

    /// Takes the queued commands and jobs.
    func takeWork() -> (commands: [Command], jobs: [UnownedJob]) {
        shared.withLock { s in
            defer {
                s.commands = []
                s.jobs = []
            }
            return (s.commands, s.jobs)
        }
    }

    /// Takes the jobs queued since ``takeWork()`` (tasks resumed by this turn's deliveries).
    func takeJobs() -> [UnownedJob] {
        shared.withLock { s in
            defer { s.jobs = [] }
            return s.jobs
        }
    }

    /// Declares the thread about to sleep in `poll(2)`; `false` (stay awake) when work is queued.
    /// From here on enqueuers write to the pipe, so no wake-up can be missed.
    func prepareToSleep() -> Bool {
        shared.withLock { s in
            guard s.commands.isEmpty, s.jobs.isEmpty else { return false }
            s.sleeping = true
            return true
        }
    }

    /// Called after `poll(2)` returns; drains the pipe when it was written to.
    func awoke(pipeReadable: Bool) {
        if pipeReadable {
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 64) { buffer in
                while read(wakeRead, buffer.baseAddress, buffer.count) > 0 {}
            }
        }
        shared.withLock { s in
            s.sleeping = false
            s.wakePending = false
        }
    }

    var isConnected: Bool { observed.withLock { $0.state == .connected } }

    var state: AMQPConnection.State { observed.withLock { $0.state } }

    /// The number of the current (or last) broker connection: 1 after the first connect, +1 per
    /// reconnect.
    var generation: UInt64 { observed.withLock { $0.generation } }

    /// Connections lost and re-established (or being re-established) since the first connect.
    var reconnects: Int { observed.withLock { $0.reconnects } }

    /// The broker address of the current (or last) connection; nil before the first.
    var endpoint: AMQPConfiguration.Endpoint? { observed.withLock { $0.endpoint } }

    /// Records the address just connected to (connection thread only).
    func setEndpoint(_ endpoint: AMQPConfiguration.Endpoint) {
        observed.withLock { $0.endpoint = endpoint }
    }

    /// A new stream of state changes, starting with the current state.
    func stateChanges() -> AsyncStream<AMQPConnection.State> {
        let (stream, continuation) = AsyncStream<AMQPConnection.State>.makeStream(bufferingPolicy: .unbounded)
        let registered: Bool = observed.withLock { o in
            // Yielded under the lock so a change published concurrently cannot overtake it.
            continuation.yield(o.state)
            guard o.state != .closed else { return false }
            let id = o.nextObserver
            o.nextObserver += 1
            o.observers[id] = continuation
            continuation.onTermination = { [weak self] _ in
                self?.observed.withLock { _ = $0.observers.removeValue(forKey: id) }
            }
            return true
        }
        if !registered { continuation.finish() }
        return stream
    }

    /// Publishes a state change (connection thread only). `.closed` is final: it finishes every
    /// stream and later changes are ignored.
    func setState(_ state: AMQPConnection.State, generation: UInt64? = nil) {
        let finished: [AsyncStream<AMQPConnection.State>.Continuation] = observed.withLock { o in
            if let generation { o.generation = generation }
            guard o.state != state, o.state != .closed else { return [] }
            if state == .reconnecting, o.state == .connected { o.reconnects += 1 }
            o.state = state
            // Yielded under the lock, in order; this lock is never taken by the executor's
            // enqueue path, so a consumer resumed here cannot deadlock.
            for continuation in o.observers.values { continuation.yield(state) }
            guard state == .closed else { return [] }
            defer { o.observers = [:] }
            return Array(o.observers.values)
        }
        // finish() runs onTermination, which takes the lock: outside it.
        for continuation in finished { continuation.finish() }
    }

    /// Refuses further commands and returns those still queued; queued jobs move to the global
    /// executor (a task waiting on this connection must still be able to finish).
    func markClosed() -> [Command] {
        let (commands, jobs) = shared.withLock { s in
            s.closed = true
            defer {
                s.commands = []
                s.jobs = []
            }
            return (s.commands, s.jobs)
        }
        for job in jobs { globalConcurrentExecutor.enqueue(ExecutorJob(job)) }
        setState(.closed)
        return commands
    }
}

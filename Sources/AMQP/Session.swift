import CRabbitMQ
import Logging
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The thread-confined side of a connection: owns the `amqp_connection_state_t` and every
/// per-channel state. Created and used only on the connection's own thread.
///
/// The loop runs queued commands, writes pending publishes, reads every frame that is ready
/// (bounded, so acks and publishes are not starved), hands deliveries to consumers in batches,
/// then sleeps in `poll(2)` on the socket and the wake-up pipe. The poll timeout is only a
/// heartbeat tick, a reconnect delay or an RPC deadline — never a busy wait.
final class Session {
    static let controlChannel: UInt16 = 1
    static let publishChannel: UInt16 = 2
    static let rpcChannel: UInt16 = 3
    static let maxFramesPerTurn = 4096

    let core: ConnectionCore
    /// The configuration pinned to the address in use (or last tried): its ``AMQPConfiguration/redactedURL``
    /// in errors and logs names that node.
    var config: AMQPConfiguration
    /// Every address of the configuration, in order, and the index of the one in use.
    let endpoints: [AMQPConfiguration.Endpoint]
    var endpointIndex = 0
    /// The address whose connection was lost last: reconnect attempts count from the next one.
    var lostEndpoint = 0
    let schedule: FailoverSchedule
    /// Messages carried over a lost connection fail at this instant unless republished by then.
    var republishDeadline: ContinuousClock.Instant?
    var logger: Logger
    let arena = Arena()

    var state: amqp_connection_state_t?
    var generation: UInt64 = 0
    var closed = false
    var heartbeatSeconds: Int = 0
    var lastInbound = ContinuousClock.now
    /// `poll(2)` last reported the socket readable: bytes arrived since the previous turn, even if
    /// they were only heartbeat frames, which rabbitmq-c consumes without returning them.
    var socketReadable = false
    var reconnectAttempt = 0
    var nextReconnect: ContinuousClock.Instant?

    var controlOpen = false
    var publisher: Publisher
    var rpc: RPCChannel?
    var receivers: [UInt16: DeliveryReceiver] = [:]
    var consumers: [UInt16: ConsumerChannel] = [:]
    var nextChannel: UInt16 = 4
    var freeChannels: [UInt16] = []
    var topology: [TopologyRecord] = []
    var hasByteLimitedConsumers = false
    var lastHeartbeatSent: ContinuousClock.Instant?

    init(core: ConnectionCore) {
        self.core = core
        let configuration = core.configuration
        self.endpoints = configuration.endpoints
        self.config = configuration.pinned(to: endpoints[0])
        self.schedule = FailoverSchedule(endpointCount: endpoints.count, initialDelay: configuration.reconnect.initialDelay,
                                         maximumDelay: configuration.reconnect.maximumDelay)
        self.logger = core.logger
        self.logger[metadataKey: "amqp.url"] = "\(config.redactedURL)"
        self.publisher = Publisher(window: max(1, config.publishWindow))
    }

    func run(started: CheckedContinuation<Void, any Error>) {
        do {
            try establishFirst()
            core.setState(.connected, generation: generation)
            started.resume()
        } catch {
            started.resume(throwing: error)
            shutdown()
            return
        }
        while !closed {
            turn()
        }
        shutdown()
    }

    private func turn() {
        let work = core.takeWork()
        for command in work.commands {
            command(self)
        }
        guard !closed else {
            runJobs(work.jobs)
            return
        }
        // One clock read per turn: at high rates the clock was a tenth of the client's CPU.
        let now = ContinuousClock.now
        let paused = readingPaused
        if state != nil {
            pumpPublishes()
            if paused {
                // Nothing is read while paused, so silence is not a sign of a dead broker; and
                // rabbitmq-c only sends heartbeats while reading, so send them here.
                lastInbound = now
                sendHeartbeatIfDue(now: now)
            } else {
                // rabbitmq-c swallows heartbeat frames inside its read call, so an idle connection
                // returns no frame at all: a readable socket is the proof the broker is alive. It
                // is known for free when this turn follows a `poll(2)`; a busy loop that has
                // heard nothing for an interval asks the socket before reading it.
                if !socketReadable, heartbeatSeconds > 0, now - lastInbound > .seconds(heartbeatSeconds) {
                    socketReadable = socketHasData()
                }
                drainFrames(now: now)
                if socketReadable { lastInbound = now }
            }
            socketReadable = false
            flushConsumers()
            expireCalls(now: now)
            checkHeartbeat(now: now)
        } else {
            if let deadline = republishDeadline, deadline <= now { giveUpRepublishing() }
            if let due = nextReconnect, due <= now { reconnect() }
        }
        // Jobs of tasks that prefer this connection's executor (a consumer loop) run after the
        // deliveries were handed over, so a batch is processed in the turn that decoded it.
        runJobs(work.jobs)
        runJobs(core.takeJobs())
        if closed || publisher.canSend { return }
        // Again: the jobs just run may have taken deliveries.
        let stillPaused = readingPaused
        if !stillPaused, let st = state, amqp_frames_enqueued(st) != 0 || amqp_data_in_buffer(st) != 0 { return }
        waitForActivity(now: now, readSocket: !stillPaused)
    }

    private func runJobs(_ jobs: [UnownedJob]) {
        for job in jobs {
            job.runSynchronously(on: core.asUnownedTaskExecutor())
        }
    }

    private func waitForActivity(now: ContinuousClock.Instant, readSocket: Bool) {
        guard core.prepareToSleep() else { return }
        let timeout = pollTimeoutMilliseconds(now: now)
        let fd = readSocket ? state.map { amqp_get_sockfd($0) } ?? -1 : -1
        let (pipeReadable, socketReadable) = withUnsafeTemporaryAllocation(of: pollfd.self, capacity: 2) { fds in
            fds[0] = pollfd(fd: core.wakeRead, events: Int16(POLLIN), revents: 0)
            fds[1] = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let result = poll(fds.baseAddress, fd >= 0 ? 2 : 1, timeout)
            return (result > 0 && fds[0].revents != 0, result > 0 && fd >= 0 && fds[1].revents != 0)
        }
        self.socketReadable = socketReadable
        core.awoke(pipeReadable: pipeReadable)
    }

    private func pollTimeoutMilliseconds(now: ContinuousClock.Instant) -> Int32 {
        var first: ContinuousClock.Instant?
        func consider(_ d: ContinuousClock.Instant?) {
            guard let d else { return }
            if let f = first, f <= d { return }
            first = d
        }
        if state != nil {
            if heartbeatSeconds > 0 { consider(now + .milliseconds(heartbeatSeconds * 500)) }
            consider(rpc?.nextDeadline)
        } else {
            consider(nextReconnect)
            consider(republishDeadline)
        }
        guard let first else { return -1 }
        let ms = (first - now).milliseconds + 1
        return Int32(clamping: max(0, ms))
    }

    /// Whether the socket has bytes waiting (a zero-timeout `poll(2)`).
    private func socketHasData() -> Bool {
        guard let st = state else { return false }
        var fd = pollfd(fd: amqp_get_sockfd(st), events: Int16(POLLIN), revents: 0)
        return poll(&fd, 1, 0) > 0 && fd.revents != 0
    }

    private func sendHeartbeatIfDue(now: ContinuousClock.Instant) {
        guard heartbeatSeconds > 0, let st = state else { return }
        if let last = lastHeartbeatSent, now - last < .milliseconds(heartbeatSeconds * 500) { return }
        lastHeartbeatSent = now
        let status = hs_amqp_send_heartbeat(st)
        if status != AMQP_STATUS_OK.rawValue { connectionLost(libraryError(status, "sending a heartbeat")) }
    }

    /// rabbitmq-c only detects a silent broker inside blocking waits; we read with zero timeouts,
    /// so we enforce the two-missed-heartbeats rule ourselves. `lastInbound` moves with every frame
    /// returned and with every readable socket reported by `poll(2)` (heartbeats included: the
    /// broker sends one every half interval when it has nothing else to send).
    private func checkHeartbeat(now: ContinuousClock.Instant) {
        guard heartbeatSeconds > 0, state != nil else { return }
        if now - lastInbound > .seconds(heartbeatSeconds * 2) {
            connectionLost(AMQPError(.timeout, "no data or heartbeat from \(config.redactedURL) for \(heartbeatSeconds * 2) s — the broker or the network is unresponsive; reconnecting"))
        }
    }

    /// Throws unless the connection is up; every command starts with this.
    func requireConnected() throws(AMQPError) -> amqp_connection_state_t {
        if closed { throw core.closedError }
        guard let st = state else {
            throw AMQPError(.connectionClosed, "the connection to \(config.redactedURL) is lost and reconnecting (attempt \(reconnectAttempt)) — retry the operation")
        }
        return st
    }

    func allocateChannel() -> UInt16 {
        if let c = freeChannels.popLast() { return c }
        defer { nextChannel &+= 1 }
        return nextChannel
    }

    /// Closes the connection on the application's request (runs as a command).
    func close() {
        guard !closed else { return }
        closed = true
        failEverything(core.closedError, finishConsumers: true)
        if let st = state {
            _ = amqp_connection_close(st, AMQP_REPLY_SUCCESS)
            amqp_destroy_connection(st)
            state = nil
        }
        // Before the caller of `closeAndWait()` resumes: it must already read `.closed`.
        core.setState(.closed)
        logger.info("amqp.connection.closed")
    }

    private func shutdown() {
        closed = true
        if let st = state {
            _ = amqp_connection_close(st, AMQP_REPLY_SUCCESS)
            amqp_destroy_connection(st)
            state = nil
        }
        for command in core.markClosed() {
            command(self)
        }
        failEverything(core.closedError, finishConsumers: true)
    }
}

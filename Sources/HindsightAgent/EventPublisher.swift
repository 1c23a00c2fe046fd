public import AMQP
public import HindsightCore
public import Logging
import Synchronization

/// Publishes an agent's events to the `hindsight.events` exchange with publisher confirms, and keeps
/// them in a local spool while the broker is unavailable.
///
/// ```swift
/// let publisher = EventPublisher(
///     amqp: try AMQPConfiguration(url: "amqp://agent:secret@broker:5672/hindsight"),
///     configuration: try .init(spool: .init(path: "/var/lib/my-agent/hindsight.spool")),
///     logger: logger)
///
/// var recorder = ExecutionRecorder(domain: "data-processing")
/// recorder.start(goal: "Clean the sales data", plan: ["extraction", "loading"], at: WireFormat.currentMicros())
/// // … record phases, tools, errors …
/// switch try await publisher.publish(recorder.events) {
/// case .confirmed: break  // the broker has them
/// case .spooled: break    // on disk; replayed by a later publish or flushSpool()
/// }
/// await publisher.close()
/// ```
///
/// **Validation.** Every message body is checked with the tracker's own decoder and the wire-format
/// v1 limits (``WireLimits/default``) before anything is sent: an event the tracker would dead-letter
/// makes the call throw ``EventPublisherError/Code/invalidEvent`` and nothing of the call is published
/// or spooled.
///
/// **Messages.** Events of one call go out in order as single-event messages
/// (``Configuration/eventsPerMessage`` `1`) or as batch messages (`{"schema":1,"events":[…]}`) of at
/// most ``Configuration/eventsPerMessage`` events and 1 MiB, persistent, with the header
/// `hindsight-schema: 1` and the routing key `<domain>.<event_type>` of the message's first event.
///
/// **Broker down.** With a spool (``Configuration/spool``) a call whose messages the broker cannot
/// take — not reachable, connection lost, no confirmation within ``Configuration/confirmTimeout``,
/// or the broker down when the publisher starts (use ``init(amqp:configuration:logger:)``, which
/// connects on first use) — appends them to the spool and returns ``PublishOutcome/spooled``.
/// While anything is spooled, later calls queue behind it (appended, then a replay starts in the
/// background), so messages reach the broker in the order the calls returned. ``flushSpool()``
/// replays and waits. Delivery is at least once: a message whose confirmation was lost may arrive
/// twice, and storage deduplicates by `event_id`. Without a spool those calls throw
/// ``EventPublisherError/Code/brokerUnavailable``.
///
/// **Cluster.** With several broker addresses (``AMQPConfiguration/failoverEndpoints``, a URL list)
/// a lost node is not an outage: the connection moves to the next address and publishes again what
/// was unconfirmed, and a call made while it moves waits for it (within
/// ``Configuration/confirmTimeout``) instead of spooling or throwing. While the broker counts as
/// available, a call the broker refuses (`basic.nack`, e.g. while a quorum queue elects a new leader)
/// is published again after a pause growing from 50 ms to 1 s, within the same timeout.
///
/// File I/O runs on a dedicated dispatch queue, never on Swift's cooperative thread pool.
public final class EventPublisher: Sendable {
    /// Where the messages of a successful ``EventPublisher/publish(_:)-([WireEvent])`` call went.
    public enum PublishOutcome: Sendable, Equatable {
        /// The broker confirmed every message.
        case confirmed
        /// The messages are in the spool (flushed to disk) and will be replayed in order.
        case spooled
    }

    /// The configuration, fixed at creation.
    public let configuration: Configuration

    private let link: BrokerLink
    private let builder: MessageBuilder
    private let spool: EventSpool?
    private let logger: Logger
    private let state = Mutex(State())

    private struct State {
        var closed = false
        var brokerAvailable = true
        /// The running replay, if any; its id tells a finishing replay whether it is still the one
        /// registered.
        var replay: (id: Int, task: Task<Int, any Error>)?
        var lastReplayID = 0
        /// Set when something was appended while a replay runs, so it looks at the spool again
        /// before it stops.
        var appendedDuringReplay = false
    }

    /// Creates a publisher on a connection the application opened (and closes).
    ///
    /// ```swift
    /// let connection = try await AMQPConnection.connect(try AMQPConfiguration(url: url), logger: logger)
    /// let publisher = EventPublisher(connection: connection, logger: logger)
    /// try await publisher.publish(events)
    /// ```
    ///
    /// - Parameters:
    ///   - connection: An open connection; it reconnects by itself after a loss.
    ///   - configuration: Batching, timeouts and spool. Defaults to ``Configuration/default``.
    ///   - logger: Where the publisher logs (outages at `warning`, spool activity at `info`/`debug`).
    public convenience init(connection: AMQPConnection, configuration: Configuration = .default, logger: Logger) {
        self.init(link: BrokerLink(connection: connection, logger: logger), configuration: configuration, logger: logger)
    }

    /// Creates a publisher that opens its own connection on first use.
    ///
    /// Creating it never fails and never waits: when the broker is down at start, publishes are
    /// spooled (or throw without a spool) and the connection is tried again after
    /// ``Configuration/reconnectDelay``, growing to ``Configuration/maxReconnectDelay``. Once open,
    /// the connection reconnects by itself after a loss. ``close()`` closes it.
    ///
    /// ```swift
    /// let publisher = EventPublisher(
    ///     amqp: try AMQPConfiguration(url: url),
    ///     configuration: try .init(spool: .init(path: spoolPath)),
    ///     logger: logger)
    /// ```
    ///
    /// - Parameters:
    ///   - amqp: How to reach the broker.
    ///   - configuration: Batching, timeouts and spool. Defaults to ``Configuration/default``.
    ///   - logger: Where the publisher (and its connection) log.
    public convenience init(amqp: AMQPConfiguration, configuration: Configuration = .default, logger: Logger) {
        let link = BrokerLink(
            configuration: amqp, reconnectDelay: configuration.reconnectDelay,
            maxReconnectDelay: configuration.maxReconnectDelay, logger: logger)
        self.init(link: link, configuration: configuration, logger: logger)
    }

    private init(link: BrokerLink, configuration: Configuration, logger: Logger) {
        self.link = link
        self.configuration = configuration
        self.logger = logger
        builder = MessageBuilder(exchange: configuration.exchange, eventsPerMessage: configuration.eventsPerMessage)
        spool = configuration.spool.map { EventSpool(configuration: $0, logger: logger) }
    }

    /// The messages `events` are published as, after validation (for tools that pre-build them).
    ///
    /// ```swift
    /// let messages = try publisher.messages(for: recorder.events)
    /// try await connection.publishBatch(messages)
    /// ```
    ///
    /// - Parameter events: The events, in order.
    /// - Returns: One message per batch of up to ``Configuration/eventsPerMessage`` events.
    /// - Throws: ``EventPublisherError/Code/invalidEvent`` naming the first invalid event.
    public func messages(for events: [WireEvent]) throws(EventPublisherError) -> [AMQPMessage] {
        try builder.messages(for: events, now: WireFormat.currentMicros())
    }

    /// Publishes one event; see ``publish(_:)-([WireEvent])``.
    ///
    /// ```swift
    /// try await publisher.publish(recorder.record(.phaseStarted, phase: "loading", at: now))
    /// ```
    ///
    /// - Parameter event: The event.
    /// - Returns: Whether the broker confirmed it or it was spooled.
    /// - Throws: ``EventPublisherError``; see ``publish(_:)-([WireEvent])``.
    @discardableResult
    public func publish(_ event: WireEvent) async throws(EventPublisherError) -> PublishOutcome {
        try await publish([event])
    }

    /// Validates and publishes events, returning once the broker confirmed every message or they
    /// were written to the spool.
    ///
    /// ```swift
    /// try await publisher.publish(recorder.events)
    /// ```
    ///
    /// - Parameter events: The events, in order (an empty array does nothing).
    /// - Returns: ``PublishOutcome/confirmed`` or ``PublishOutcome/spooled``.
    /// - Throws: ``EventPublisherError`` with ``EventPublisherError/Code/invalidEvent`` (nothing
    ///   sent), ``EventPublisherError/Code/brokerUnavailable`` (no spool configured),
    ///   ``EventPublisherError/Code/brokerRefused`` (credentials, permissions, unknown exchange; not
    ///   spooled), ``EventPublisherError/Code/spoolFull`` or
    ///   ``EventPublisherError/Code/spoolFailure`` (nothing written), or
    ///   ``EventPublisherError/Code/closed``.
    @discardableResult
    public func publish(_ events: [WireEvent]) async throws(EventPublisherError) -> PublishOutcome {
        try checkOpen()
        guard !events.isEmpty else { return .confirmed }
        let messages = try builder.messages(for: events, now: WireFormat.currentMicros())
        guard let spool else {
            switch await send(messages) {
            case .confirmed: return .confirmed
            case .unavailable(let error): throw Self.unavailable(error)
            case .refused(let error): throw Self.refused(error)
            }
        }
        let pending: Int
        if let known = spool.pendingMessages {
            pending = known
        } else {
            pending = try await spool.status().messages
        }
        let replaying = state.withLock { $0.replay != nil }
        if pending == 0, !replaying {
            switch await send(messages) {
            case .confirmed:
                return .confirmed
            case .refused(let error):
                throw Self.refused(error)
            case .unavailable:
                try await spool.append(messages.map(\.body))
                logger.debug("agent.spool.appended", metadata: ["batch.size": "\(messages.count)"])
                return .spooled
            }
        }
        // Older messages wait in the spool: queue behind them so the order is kept, then let a
        // replay carry them all.
        try await spool.append(messages.map(\.body))
        logger.debug("agent.spool.appended", metadata: ["batch.size": "\(messages.count)"])
        _ = startReplay()
        return .spooled
    }

    /// Replays the spool in order and waits until it is empty or the broker fails again.
    ///
    /// Publishes also start a replay by themselves while something is spooled; call this to drain
    /// the spool without publishing (periodically, or before exiting). When a replay is already
    /// running this waits for it. Confirmed rounds of ``SpoolConfiguration/replayBatchSize``
    /// messages leave the spool at once; a failure keeps the rest for the next replay. Entries that
    /// cannot be read back are moved to `<path>.rejected` and logged (`agent.spool.rejected`).
    ///
    /// ```swift
    /// let replayed = try await publisher.flushSpool()
    /// ```
    ///
    /// - Returns: The number of messages the replay delivered (`0` without a spool).
    /// - Throws: ``EventPublisherError/Code/brokerUnavailable`` or
    ///   ``EventPublisherError/Code/brokerRefused`` when the replay stopped early,
    ///   ``EventPublisherError/Code/spoolFailure``, ``EventPublisherError/Code/closed``.
    @discardableResult
    public func flushSpool() async throws(EventPublisherError) -> Int {
        try checkOpen()
        guard let spool else { return 0 }
        _ = try await spool.status()
        do {
            return try await startReplay().value
        } catch let error as EventPublisherError {
            throw error
        } catch {
            throw EventPublisherError(.spoolFailure, "replaying the spool failed: \(error)")
        }
    }

    /// What the spool holds; nil without a spool.
    ///
    /// ```swift
    /// if let status = try await publisher.spoolStatus(), status.rejectedEntries > 0 {
    ///     logger.warning("spool entries were set aside", metadata: ["spool.rejected.total": "\(status.rejectedEntries)"])
    /// }
    /// ```
    ///
    /// - Returns: Messages and bytes waiting, and entries kept aside as unreadable.
    /// - Throws: ``EventPublisherError/Code/spoolFailure`` when the spool cannot be read.
    public func spoolStatus() async throws(EventPublisherError) -> SpoolStatus? {
        try await spool?.status()
    }

    /// Stops the publisher: a running replay stops after its current round (the rest stays
    /// spooled), an opened connection is closed (a shared one is left open), and later calls throw
    /// ``EventPublisherError/Code/closed``. Calling it again does nothing.
    ///
    /// ```swift
    /// defer { Task { await publisher.close() } }
    /// ```
    public func close() async {
        let replay = state.withLock { state in
            state.closed = true
            return state.replay?.task
        }
        replay?.cancel()
        _ = try? await replay?.value
        await link.close()
    }

    // MARK: Sending

    private enum SendOutcome {
        case confirmed
        case unavailable(AMQPError)
        case refused(AMQPError)
    }

    /// Errors that retrying cannot fix: the messages are not spooled.
    private static let permanentCodes: Set<AMQPError.Code> = [
        .authenticationFailed, .accessRefused, .notFound, .invalidConfiguration, .preconditionFailed, .tlsFailed,
        .resourceLocked,
    ]

    /// Publishes and waits for the confirmation, at most ``Configuration/confirmTimeout``.
    private func send(_ messages: [AMQPMessage]) async -> SendOutcome {
        let connection: AMQPConnection
        do {
            connection = try await link.connection()
        } catch {
            return classify(error)
        }
        // A connection lost a moment ago is moving to the next broker of its list: while the broker
        // counted as available, wait for that (within the confirm timeout) instead of calling it an
        // outage — also when the loss falls between the check and the publish, which then fails at
        // once without sending anything. Messages in flight at the loss are republished by the
        // connection itself.
        // The node that takes over may also refuse (basic.nack) while a quorum queue elects its new
        // leader: retried too, after a short growing pause. The loop ends by the same deadline as
        // the wait, since a timed-out operation is left running.
        let followFailover = state.withLock { $0.brokerAvailable }
        let deadline = ContinuousClock.now + configuration.confirmTimeout
        switch await race(timeout: configuration.confirmTimeout, {
            var pause = Duration.milliseconds(50)
            while true {
                if followFailover, !connection.isConnected { try await Self.connected(connection) }
                do {
                    try await connection.publishBatch(messages)
                    return
                } catch {
                    let code = (error as? AMQPError)?.code
                    let lost = code == .connectionClosed && connection.state == .reconnecting
                    guard followFailover, lost || code == .publishNacked, ContinuousClock.now + pause < deadline else {
                        throw error
                    }
                    if code == .publishNacked {
                        try await Task.sleep(for: pause)
                        pause = min(pause * 2, .seconds(1))
                    }
                }
            }
        }) {
        case .finished(.success):
            let recovered = state.withLock { state in
                defer { state.brokerAvailable = true }
                return !state.brokerAvailable
            }
            if recovered { logger.info("agent.broker.available") }
            return .confirmed
        case .finished(.failure(let error)):
            link.connectionFailed(connection)
            return classify(error as? AMQPError ?? AMQPError(.protocolError, "publishing failed: \(error)"))
        case .timedOut:
            return classify(AMQPError(
                .timeout, "the broker did not confirm \(messages.count) messages within \(configuration.confirmTimeout)"))
        case .cancelled:
            // Not an outage: the caller (or close()) gave up waiting.
            return .unavailable(AMQPError(.timeout, "the publish was cancelled before the broker confirmed it"))
        }
    }

    /// Returns once `connection` is connected again; throws when it closes for good.
    private static func connected(_ connection: AMQPConnection) async throws {
        for await state in connection.stateChanges() where state == .connected { return }
        throw AMQPError(.connectionClosed, "the connection to the broker closed while reconnecting")
    }

    private func classify(_ error: AMQPError) -> SendOutcome {
        if Self.permanentCodes.contains(error.code) {
            logger.warning("agent.broker.refused", metadata: [
                "error.code": "\(error.code)", "error.message": "\(error.message)"])
            return .refused(error)
        }
        let wasAvailable = state.withLock { state in
            defer { state.brokerAvailable = false }
            return state.brokerAvailable
        }
        if wasAvailable {
            logger.warning("agent.broker.unavailable", metadata: [
                "error.code": "\(error.code)", "error.message": "\(error.message)",
                "spool.enabled": "\(spool != nil)"])
        }
        return .unavailable(error)
    }

    private static func unavailable(_ error: AMQPError) -> EventPublisherError {
        EventPublisherError(
            .brokerUnavailable, "the broker did not take the messages (\(error.code)); publish them again",
            amqpError: error)
    }

    private static func refused(_ error: AMQPError) -> EventPublisherError {
        EventPublisherError(.brokerRefused, "the broker refused the messages (\(error.code))", amqpError: error)
    }

    private func checkOpen() throws(EventPublisherError) {
        if state.withLock({ $0.closed }) { throw EventPublisherError(.closed, "the event publisher is closed") }
    }

    // MARK: Replay

    /// The running replay, or a new one; a running replay is told to look at the spool again.
    private func startReplay() -> Task<Int, any Error> {
        state.withLock { state in
            if let running = state.replay {
                state.appendedDuringReplay = true
                return running.task
            }
            state.lastReplayID += 1
            let id = state.lastReplayID
            let task = Task { () async throws -> Int in try await self.replay(id: id) }
            state.replay = (id, task)
            return task
        }
    }

    /// Replays segment after segment until the spool is empty, the broker fails or the publisher
    /// closes.
    private func replay(id: Int) async throws(EventPublisherError) -> Int {
        guard let spool else { return 0 }
        var total = 0
        do throws(EventPublisherError) {
            while true {
                state.withLock { $0.appendedDuringReplay = false }
                // Reading a segment costs a pass over the file: only when the broker can take it.
                if (spool.pendingMessages ?? 1) > 0, let unreachable = await brokerUnreachable() { throw unreachable }
                guard let entries = try await spool.takeSegment() else {
                    // Stop only if nothing was appended since the spool was last looked at.
                    let stop = state.withLock { state -> Bool in
                        guard !state.appendedDuringReplay else { return false }
                        if state.replay?.id == id { state.replay = nil }
                        return true
                    }
                    if stop { return total }
                    continue
                }
                let (confirmed, failure) = await replaySegment(entries, batch: spool.configuration.replayBatchSize)
                try await spool.finishSegment(entries, confirmed: confirmed)
                total += confirmed
                if confirmed > 0 {
                    logger.info("agent.spool.replayed", metadata: [
                        "batch.size": "\(confirmed)", "spool.remaining": "\(spool.pendingMessages ?? 0)"])
                }
                if let failure { throw failure }
            }
        } catch {
            state.withLock { state in
                if state.replay?.id == id { state.replay = nil }
            }
            throw error
        }
    }

    /// Why a replay cannot start now: no connection, or the connection is reconnecting.
    private func brokerUnreachable() async -> EventPublisherError? {
        let connection: AMQPConnection
        do {
            connection = try await link.connection()
        } catch {
            if case .refused(let refused) = classify(error) { return Self.refused(refused) }
            return Self.unavailable(error)
        }
        guard !connection.isConnected else { return nil }
        return Self.unavailable(AMQPError(.connectionClosed, "the connection to the broker is reconnecting"))
    }

    /// Publishes a segment in rounds; returns how many leading entries were confirmed and why it
    /// stopped early, if it did.
    private func replaySegment(_ entries: [SpoolEntry], batch: Int) async -> (Int, EventPublisherError?) {
        var confirmed = 0
        while confirmed < entries.count {
            if Task.isCancelled { return (confirmed, EventPublisherError(.closed, "the event publisher is closed")) }
            let end = min(confirmed + batch, entries.count)
            let messages = entries[confirmed..<end].map {
                MessageBuilder.message(body: $0.body, first: $0.first, exchange: configuration.exchange)
            }
            switch await send(messages) {
            case .confirmed: confirmed = end
            case .unavailable(let error): return (confirmed, Self.unavailable(error))
            case .refused(let error): return (confirmed, Self.refused(error))
            }
        }
        return (confirmed, nil)
    }
}

public import AMQP
public import HindsightCore
public import HindsightStore
public import Logging
import Metrics
public import ServiceLifecycle
import Synchronization

import struct Foundation.Date

/// Consumes execution events from the broker and stores them, with their consolidation, in PostgreSQL.
///
/// One loop collects deliveries while the previous batch commits, so batches grow with the load (up to
/// the configured bounds) and stay small — low latency — when traffic is light. For each batch: decode,
/// publish the messages that can never be stored to the dead-letter exchange with their reason, write
/// the events in one transaction, and only then acknowledge the whole batch with one `multiple` ack.
/// While PostgreSQL is unavailable nothing is acknowledged: the batch is retried with back-off.
public final class TrackerService: Service {
    private let configuration: Configuration
    private let amqp: AMQPConfiguration
    private let writer: ConsolidationWriter
    private let health: HealthState
    private let metrics: TrackerMetrics
    private let logger: Logger
    private let limits: WireLimits
    private let probe: Probe?

    /// Benchmark instrumentation (`hindsight bench ingest`): called on the tracker's path, never set in
    /// production. `deliveriesReceived` runs on the consumer task for each array of deliveries;
    /// `committed` runs right after a batch's transaction committed (before its ack), with its events.
    package struct Probe: Sendable {
        package var deliveriesReceived: @Sendable (Int) -> Void
        package var committed: @Sendable ([WireEvent]) -> Void

        package init(deliveriesReceived: @escaping @Sendable (Int) -> Void,
                     committed: @escaping @Sendable ([WireEvent]) -> Void) {
            self.deliveriesReceived = deliveriesReceived
            self.committed = committed
        }
    }

    /// - Parameters:
    ///   - configuration: Batching and retry settings.
    ///   - amqp: The broker connection settings (the tracker opens two connections: consume, publish).
    ///   - writer: Writes batches to PostgreSQL.
    ///   - health: Where the tracker reports its dependencies' states.
    ///   - metrics: The metrics to record into.
    ///   - limits: Wire-format limits. Defaults to ``WireLimits/default``.
    ///   - logger: Where the tracker logs.
    public convenience init(
        configuration: Configuration, amqp: AMQPConfiguration, writer: ConsolidationWriter,
        health: HealthState, metrics: TrackerMetrics = TrackerMetrics(), limits: WireLimits = .default,
        logger: Logger
    ) {
        self.init(configuration: configuration, amqp: amqp, writer: writer, health: health, metrics: metrics,
                  limits: limits, logger: logger, probe: nil)
    }

    /// The same, with a benchmark ``Probe``.
    package init(
        configuration: Configuration, amqp: AMQPConfiguration, writer: ConsolidationWriter,
        health: HealthState, metrics: TrackerMetrics = TrackerMetrics(), limits: WireLimits = .default,
        logger: Logger, probe: Probe?
    ) {
        self.probe = probe
        self.configuration = configuration
        self.amqp = amqp
        self.writer = writer
        self.health = health
        self.metrics = metrics
        self.limits = limits
        self.logger = logger
    }

    public func run() async throws {
        health.set("amqp", .starting)
        health.set("amqp.publish", .starting)
        health.set("postgres", .starting)
        var consumeConfiguration = amqp
        consumeConfiguration.connectionName = (amqp.connectionName ?? "hindsight-tracker") + "-consume"
        var publishConfiguration = amqp
        publishConfiguration.connectionName = (amqp.connectionName ?? "hindsight-tracker") + "-publish"

        let consumerConnection = try await AMQPConnection.connect(consumeConfiguration, logger: logger)
        let publisher: AMQPConnection
        do {
            publisher = try await AMQPConnection.connect(publishConfiguration, logger: logger)
        } catch {
            await consumerConnection.closeAndWait()
            throw error
        }
        do {
            try await consumeUntilShutdown(consumerConnection: consumerConnection, publisher: publisher)
        } catch {
            await consumerConnection.closeAndWait()
            await publisher.closeAndWait()
            throw error
        }
        // Every batch task has returned, so the final acknowledgement is queued on the consumer
        // connection; its commands run in order, and waiting for the close handshake means the ack
        // frame was written to the socket before the tracker reports itself stopped.
        await consumerConnection.closeAndWait()
        await publisher.closeAndWait()
        logger.info("tracker.stopped")
    }

    private func consumeUntilShutdown(consumerConnection: AMQPConnection, publisher: AMQPConnection) async throws {
        if configuration.declareTopology {
            try await Topology.declareTracker(on: consumerConnection, queue: configuration.queue)
        }
        do {
            try await writer.ping()
            health.set("postgres", .up)
        } catch {
            // Not fatal: the commit loop retries with back-off and reports readiness when it commits.
            health.set("postgres", .down)
            logger.warning("tracker.database.unavailable_at_start", metadata: ["error.message": "\(String(describing: error))"])
        }
        let consumer = try await consumerConnection.consume(
            queue: configuration.queue, prefetch: UInt16(clamping: configuration.prefetch),
            maxBufferedBytes: configuration.bufferBytes)
        logger.info("tracker.consuming", metadata: ["amqp.queue": "\(configuration.queue)", "tracker.config": "\(configuration)"])

        // Two batches' worth of decoded events: one being assembled while the other commits.
        let inbox = DeliveryInbox(highWater: 2 * configuration.batchEvents)
        let limits = self.limits
        let stopping = StopFlag()
        try await withGracefulShutdownHandler {
            try await withThrowingDiscardingTaskGroup { group in
                group.addTask {
                    defer { inbox.finish() }
                    for try await deliveries in consumer.batches {
                        self.probe?.deliveriesReceived(deliveries.count)
                        let now = WireFormat.currentMicros()
                        let receivedAt = ContinuousClock.now
                        try await inbox.append(contentsOf: deliveries.map {
                            DecodedDelivery($0, limits: limits, now: now, receivedAt: receivedAt)
                        })
                    }
                }
                // `/ready` follows both broker connections: down while either reconnects.
                group.addTask { await self.health.follow(consumerConnection, as: "amqp") }
                group.addTask { await self.health.follow(publisher, as: "amqp.publish") }
                group.addTask {
                    // Queue depth for the metrics; stops with the commit loop (the group is cancelled).
                    while !stopping.isSet {
                        if let state = try? await publisher.inspectQueue(self.configuration.queue) {
                            self.metrics.queueDepth.record(Int(state.messageCount))
                        }
                        try? await Task.sleep(for: .seconds(5))
                        if Task.isCancelled { return }
                    }
                }
                // Also releases a consumer task waiting for room in the inbox when the loop stops early.
                defer { inbox.finish() }
                try await self.commitLoop(inbox: inbox, consumer: consumer, publisher: publisher, stopping: stopping)
                group.cancelAll()
            }
        } onGracefulShutdown: {
            // Stop new deliveries; what was delivered is still committed and acknowledged.
            stopping.set()
            consumer.cancel()
        }
    }

    /// Takes batches from the inbox and commits up to `commitConcurrency` of them at once (each on its own
    /// database connection); acknowledgements still go out in delivery order (``AckTurn``).
    private func commitLoop(
        inbox: DeliveryInbox, consumer: AMQPConsumer, publisher: AMQPConnection, stopping: StopFlag
    ) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            var previous = AckTurn.passed()
            var running = 0
            while let decoded = try await inbox.take(
                maxMessages: configuration.batchMessages, maxEvents: configuration.batchEvents,
                maxBytes: configuration.batchBytes, linger: configuration.batchDelay)
            {
                var batch = EventBatch()
                for delivery in decoded { batch.add(delivery) }
                metrics.messagesConsumed.increment(by: batch.messageCount)
                metrics.eventsConsumed.increment(by: batch.events.count)
                metrics.inFlight.record(inbox.count + batch.messageCount)
                if running >= configuration.commitConcurrency {
                    try await group.next()
                    running -= 1
                }
                let turn = AckTurn()
                let predecessor = previous
                group.addTask {
                    do {
                        try await self.commit(batch, after: predecessor, passing: turn, consumer: consumer,
                                              publisher: publisher, stopping: stopping)
                    } catch {
                        // A fatal failure (e.g. a wedged database client) must end the tracker now, not
                        // when the next delivery happens to wake the loop waiting in `take`.
                        inbox.finish()
                        throw error
                    }
                }
                previous = turn
                running += 1
            }
            try await group.waitForAll()
        }
        metrics.inFlight.record(inbox.count)
    }

    /// Performs the actions of one batch's ``BatchStateMachine`` until the batch is finished: store,
    /// then — once the batch before it is acknowledged — dead-letter its refused messages and
    /// acknowledge it. Every decision is the state machine's; this only does the I/O and reports back.
    private func commit(
        _ batch: EventBatch, after predecessor: AckTurn, passing turn: AckTurn, consumer: AMQPConsumer,
        publisher: AMQPConnection, stopping: StopFlag
    ) async throws {
        var acknowledged = false
        defer { turn.pass(acknowledged: acknowledged) }
        var machine = BatchStateMachine(batch: batch, configuration: BatchStateMachine.Configuration(configuration))
        var stored = false
        var action = machine.start()
        while true {
            switch action {
            case .write(let events):
                action = await write(events, alone: false, machine: &machine, stopping: stopping)
            case .writeAlone(_, let events):
                action = await write(events, alone: true, machine: &machine, stopping: stopping)
            case .retry(let delay, let failure):
                if case .deadLetterPublish = failure {
                    logger.warning("tracker.dead_letters.retry", metadata: [
                        "error.reason": "\(failure)", "batch.dead_letters": "\(machine.batch.rejected.count)",
                        "retry.in": "\(delay)"])
                } else {
                    health.set("postgres", .down)
                    metrics.commitRetries.increment()
                    logger.warning("tracker.batch.retry", metadata: [
                        "error.reason": "\(failure)", "batch.size": "\(machine.batch.messageCount)",
                        "retry.in": "\(delay)"])
                }
                // Cancellation (the service group's last resort) ends the batch unacknowledged.
                try await Task.sleep(for: delay)
                action = machine.retryDue()
            case .waitForPredecessor:
                if !stored {
                    stored = true
                    recordStored(machine.batch)
                }
                action = machine.predecessorFinished(acknowledged: try await predecessor.wait())
            case .deadLetter(let rejected):
                do {
                    try await publishDeadLetters(rejected, via: publisher)
                    action = machine.deadLettersPublished()
                } catch {
                    action = machine.deadLettersFailed(String(describing: error), shuttingDown: stopping.isSet)
                }
            case .ack(let tag, let multiple):
                consumer.ack(tag, multiple: multiple)
                action = machine.acknowledged()
            case .finish(let ok):
                acknowledged = ok
                if !ok {
                    logger.notice("tracker.batch.unacknowledged_at_shutdown",
                                  metadata: ["batch.size": "\(machine.batch.messageCount)", "batch.committed": "\(stored)"])
                }
                return
            case .exit(let error):
                throw error
            }
        }
    }

    /// Performs one write (the whole batch, or one message alone while isolating refused data) under
    /// the write deadline and reports its outcome to the state machine.
    private func write(
        _ events: [WireEvent], alone: Bool, machine: inout BatchStateMachine, stopping: StopFlag
    ) async -> BatchStateMachine.Action {
        let started = ContinuousClock.now
        let writer = self.writer
        do {
            let outcome = try await withDeadline(configuration.writeTimeout) { try await writer.write(events) }
            if !alone { metrics.commitLatency.record(duration: ContinuousClock.now - started) }
            metrics.eventsStored.increment(by: outcome.stored)
            metrics.eventsDuplicate.increment(by: outcome.duplicates)
            health.set("postgres", .up)
            return machine.writeSucceeded()
        } catch let error as DeadlineExceeded {
            // A write that never answers (a connection-pool lease was seen to hang forever after
            // PostgreSQL restarted): the state machine retries it, and exits after several in a row.
            health.set("postgres", .down)
            metrics.commitRetries.increment()
            logger.warning("tracker.batch.write_timeout", metadata: [
                "error.reason": "\(error)", "batch.size": "\(machine.batch.messageCount)",
                "write.stalled": "\(machine.stalledWrites + 1)"])
            return machine.writeTimedOut(shuttingDown: stopping.isSet)
        } catch {
            let failure = StoreError.classifyFailure(error)
            if failure.failureClass == .rejectedData {
                if !alone {
                    logger.warning("tracker.batch.refused_isolating", metadata: [
                        "error.code": "\(failure.sqlState ?? "")", "batch.size": "\(machine.batch.messageCount)"])
                }
            } else if failure.failureClass == .permanent {
                logger.error("tracker.batch.permanent_failure", metadata: [
                    "error.code": "\(failure.sqlState ?? "")", "error.reason": "\(failure.summary)"])
            }
            return machine.writeFailed(failure, shuttingDown: stopping.isSet)
        }
    }

    /// Metrics and the benchmark probe for a batch whose events are stored.
    private func recordStored(_ batch: EventBatch) {
        probe?.committed(batch.events)
        metrics.batchesCommitted.increment()
        metrics.batchMessages.record(batch.messageCount)
        if let newest = batch.events.map(\.timestampMicros).max() {
            let lag = WireFormat.currentMicros() - newest
            if lag >= 0 { metrics.ingestLag.recordMicroseconds(lag) }
        }
    }

    /// Publishes a batch's dead letters together: one confirm wait for all of them.
    private func publishDeadLetters(_ rejected: [EventBatch.Rejected], via publisher: AMQPConnection) async throws {
        var reasons: [String: Int] = [:]
        let messages = rejected.map { message in
            reasons[message.reason, default: 0] += 1
            logger.debug("tracker.dead_letter", metadata: [
                "error.code": "\(message.reason)", "error.detail": "\(message.detail)",
                "amqp.routing_key": "\(message.delivery.routingKey)"])
            var properties = message.delivery.properties
            properties.headers[WireContract.Header.reason] = .string(message.reason)
            properties.headers[WireContract.Header.detail] = .string(message.detail)
            properties.headers[WireContract.Header.originalExchange] = .string(message.delivery.exchange)
            properties.headers[WireContract.Header.originalRoutingKey] = .string(message.delivery.routingKey)
            return AMQPMessage(exchange: Topology.deadLetterExchange, routingKey: message.delivery.routingKey,
                               body: message.delivery.body, properties: properties)
        }
        try await publisher.publish(contentsOf: messages)
        for (reason, count) in reasons.sorted(by: { $0.key < $1.key }) {
            metrics.deadLettered(reason: reason).increment(by: count)
            logger.warning("tracker.dead_lettered", metadata: ["error.code": "\(reason)", "batch.dead_letters": "\(count)"])
        }
    }
}

extension Metrics.Timer {
    fileprivate func recordMicroseconds(_ micros: Int64) {
        recordNanoseconds(micros * 1000)
    }

    fileprivate func record(duration: Duration) {
        let (seconds, attoseconds) = duration.components
        recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}

/// Set once when graceful shutdown begins.
final class StopFlag: Sendable {
    private let value = Atomic<Bool>(false)
    func set() { value.store(true, ordering: .relaxed) }
    var isSet: Bool { value.load(ordering: .relaxed) }
}

/// Why a tracker stopped by itself.
public enum TrackerError: Error, CustomStringConvertible {
    /// Several batch writes in a row got no answer at all from the database client.
    case databaseStalled(writes: Int, timeout: Duration)

    public var description: String {
        switch self {
        case .databaseStalled(let writes, let timeout):
            "\(writes) batch writes in a row got no answer within \(timeout); exiting so the tracker is restarted (unacknowledged messages are redelivered)"
        }
    }
}

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
            await consumerConnection.close()
            throw error
        }
        do {
            try await consumeUntilShutdown(consumerConnection: consumerConnection, publisher: publisher)
        } catch {
            await consumerConnection.close()
            await publisher.close()
            throw error
        }
        await consumerConnection.close()
        await publisher.close()
        logger.info("tracker stopped")
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
            logger.warning("database not answering at start", metadata: ["error": "\(String(describing: error))"])
        }
        let consumer = try await consumerConnection.consume(
            queue: configuration.queue, prefetch: UInt16(clamping: configuration.prefetch),
            maxBufferedBytes: configuration.bufferBytes)
        health.set("amqp", .up)
        logger.info("tracker consuming", metadata: ["amqp.queue": "\(configuration.queue)", "config": "\(configuration)"])

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
                        await inbox.append(contentsOf: deliveries.map {
                            DecodedDelivery($0, limits: limits, now: now, receivedAt: receivedAt)
                        })
                    }
                }
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
            Task { await consumer.cancel() }
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
            while let decoded = await inbox.take(
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

    /// Stores one batch, then — once the batch before it is acknowledged — dead-letters its refused
    /// messages and acknowledges it.
    private func commit(
        _ batch: EventBatch, after predecessor: AckTurn, passing turn: AckTurn, consumer: AMQPConsumer,
        publisher: AMQPConnection, stopping: StopFlag
    ) async throws {
        var acknowledged = false
        defer { turn.pass(acknowledged: acknowledged) }
        var batch = batch
        let stored = try await store(&batch, stopping: stopping)
        guard await predecessor.wait(), stored else {
            logger.notice("tracker stopping with an unacknowledged batch; the broker redelivers it",
                          metadata: ["batch.size": "\(batch.messageCount)", "batch.committed": "\(stored)"])
            return
        }
        try await deadLetter(batch.rejected, via: publisher)
        if let last = batch.lastDelivery {
            consumer.ack(last, multiple: true)
        }
        acknowledged = true
    }

    /// Writes the batch, retrying while the failure is transient. Returns false when shutdown interrupted
    /// the retries (nothing acknowledged then).
    private func store(_ batch: inout EventBatch, stopping: StopFlag) async throws -> Bool {
        var backoff = configuration.initialBackoff
        var stalledWrites = 0
        while true {
            do {
                let started = ContinuousClock.now
                let events = batch.events
                let writer = self.writer
                let outcome = try await withDeadline(configuration.writeTimeout) { try await writer.write(events) }
                stalledWrites = 0
                probe?.committed(batch.events)
                metrics.commitLatency.record(duration: ContinuousClock.now - started)
                metrics.eventsStored.increment(by: outcome.stored)
                metrics.eventsDuplicate.increment(by: outcome.duplicates)
                metrics.batchesCommitted.increment()
                metrics.batchMessages.record(batch.messageCount)
                if let newest = batch.events.map(\.timestampMicros).max() {
                    let lag = WireFormat.currentMicros() - newest
                    if lag >= 0 { metrics.ingestLag.recordMicroseconds(lag) }
                }
                health.set("postgres", .up)
                return true
            } catch let error as DeadlineExceeded {
                // A write that never answers: retry (idempotent); after several in a row the database
                // client is presumed wedged and the tracker exits so its supervisor restarts it — the
                // unacknowledged deliveries go back to the queue, nothing is lost.
                stalledWrites += 1
                health.set("postgres", .down)
                metrics.commitRetries.increment()
                logger.warning("batch write timed out, retrying", metadata: [
                    "error.reason": "\(error)", "batch.size": "\(batch.messageCount)", "write.stalled": "\(stalledWrites)"])
                if stopping.isSet { return false }
                if stalledWrites >= configuration.maxStalledWrites {
                    throw TrackerError.databaseStalled(writes: stalledWrites, timeout: configuration.writeTimeout)
                }
            } catch {
                switch StorageFailure.classify(error) {
                case .rejectedData(let sqlState):
                    try await isolateRejected(&batch, sqlState: sqlState)
                case .transient(let reason):
                    health.set("postgres", .down)
                    metrics.commitRetries.increment()
                    logger.warning("batch not committed, retrying", metadata: [
                        "error.reason": "\(reason)", "batch.size": "\(batch.messageCount)",
                        "retry.in": "\(backoff)"])
                    if stopping.isSet { return false }
                    try await Task.sleep(for: backoff)
                    backoff = min(backoff * 2, configuration.maxBackoff)
                }
            }
        }
    }

    /// The database refused the batch's data: write each message alone to find the refused ones, which
    /// are moved to the dead letters; the others are stored by the next attempt.
    private func isolateRejected(_ batch: inout EventBatch, sqlState: String) async throws {
        var refused = Set<Int>()
        for index in batch.accepted.indices {
            do {
                try await writer.write(Array(batch.events(ofAccepted: index)))
            } catch {
                guard case .rejectedData = StorageFailure.classify(error) else { throw error }
                refused.insert(index)
            }
        }
        logger.warning("database refused messages; dead-lettering them",
                       metadata: ["error.code": "\(sqlState)", "batch.refused": "\(refused.count)"])
        batch.reject(acceptedAt: refused, reason: "storage_rejected", detail: "SQLSTATE \(sqlState)")
    }

    private func deadLetter(_ rejected: [EventBatch.Rejected], via publisher: AMQPConnection) async throws {
        for message in rejected {
            logger.warning("dead-lettering message", metadata: [
                "error.code": "\(message.reason)", "error.detail": "\(message.detail)",
                "amqp.routing_key": "\(message.delivery.routingKey)"])
            metrics.deadLettered(reason: message.reason).increment()
            var properties = message.delivery.properties
            properties.headers["x-hindsight-reason"] = .string(message.reason)
            properties.headers["x-hindsight-detail"] = .string(message.detail)
            properties.headers["x-hindsight-original-exchange"] = .string(message.delivery.exchange)
            properties.headers["x-hindsight-original-routing-key"] = .string(message.delivery.routingKey)
            try await publisher.publish(AMQPMessage(
                exchange: Topology.deadLetterExchange, routingKey: message.delivery.routingKey,
                body: message.delivery.body, properties: properties))
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

public import AMQP
import Foundation
import HindsightCore
public import Logging
import Metrics
public import ServiceLifecycle
import Synchronization

/// Runs the adapter: keeps the ``InsightsCache`` fresh and serves the request queue.
///
/// Consumes only after the first full load of the insights (before it every answer would wrongly say
/// "no history"; `/ready` is 503 until then). Up to `prefetch` requests are handled at once; each is
/// answered on the caller's `reply_to` with its `correlation_id`, then acknowledged. Expired requests and
/// requests without `reply_to` are acknowledged without a reply and counted. Replies carry no publisher
/// confirm (a direct reply-to address stores nothing); each request is acknowledged right after its reply
/// was written to the socket (``AMQPConsumer/reply(to:with:)``). Graceful shutdown (SIGTERM):
/// stop consuming, finish and answer the requests in flight, acknowledge them, close.
public final class AdapterService: Service {
    private let configuration: Adapter.Configuration
    private let amqp: AMQPConfiguration
    private let cache: InsightsCache
    private let processor: AdapterRequestProcessor
    private let refresh: @Sendable () async -> Void
    private let health: HealthState
    private let metrics: AdapterMetrics
    private let declare: @Sendable (AMQPConnection) async throws -> Void
    private let logger: Logger
    private let inFlight = Atomic<Int>(0)

    /// - Parameters:
    ///   - refresh: keeps the cache fresh until cancelled (e.g. `cache.run(listeningOn:interval:)`).
    ///   - declare: declares what the adapter consumes (default: ``Topology/declareAdapter(on:queue:)``,
    ///     the `hindsight.rpc` exchange and `configuration.queue` bound to it).
    public init(
        configuration: Adapter.Configuration, amqp: AMQPConfiguration, cache: InsightsCache, processor: AdapterRequestProcessor,
        refresh: @escaping @Sendable () async -> Void, health: HealthState, metrics: AdapterMetrics = AdapterMetrics(),
        declare: (@Sendable (AMQPConnection) async throws -> Void)? = nil, logger: Logger
    ) {
        self.configuration = configuration
        self.amqp = amqp
        self.cache = cache
        self.processor = processor
        self.refresh = refresh
        self.health = health
        self.metrics = metrics
        let queue = configuration.queue
        self.declare = declare ?? { try await Topology.declareAdapter(on: $0, queue: queue) }
        self.logger = logger
    }

    public func run() async throws {
        health.set("amqp", .starting)
        logger.info("adapter.started", metadata: ["adapter.config": "\(configuration)"])
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { await self.refresh() }
            defer { group.cancelAll() }
            // Wait for the first load; a shutdown meanwhile ends the service.
            try? await cancelWhenGracefulShutdown {
                while !self.cache.hasLoaded { try await Task.sleep(for: .milliseconds(100)) }
            }
            guard cache.hasLoaded, !Task.isShuttingDownGracefully else { return }
            logger.info("adapter.insights.loaded", metadata: ["insights.domains": "\(cache.domainCount)"])
            let connection = try await AMQPConnection.connect(amqp, logger: logger)
            do {
                try await serve(on: connection)
            } catch {
                await connection.closeAndWait()
                throw error
            }
            await connection.closeAndWait()
        }
        logger.info("adapter.stopped")
    }

    private func serve(on connection: AMQPConnection) async throws {
        try await declare(connection)
        let consumer = try await connection.consume(queue: configuration.queue, prefetch: UInt16(clamping: configuration.prefetch))
        logger.info("adapter.consuming", metadata: ["amqp.queue": "\(configuration.queue)"])
        try await withThrowingDiscardingTaskGroup { outer in
            outer.addTask { await self.health.follow(connection, as: "amqp") }
            defer { outer.cancelAll() }
            await withGracefulShutdownHandler {
                // The inner group ends when the consumer ends and every request in flight was answered.
                await withDiscardingTaskGroup { group in
                    do {
                        for try await delivery in consumer {
                            group.addTask { await self.handle(delivery, consumer: consumer) }
                        }
                    } catch {
                        self.logger.warning("adapter.consumer.ended", metadata: ["error.message": "\(error)"])
                    }
                }
            } onGracefulShutdown: {
                self.logger.info("adapter.draining")
                consumer.cancel()
            }
        }
    }

    private func handle(_ delivery: Delivery, consumer: AMQPConsumer) async {
        let started = ContinuousClock.now
        metrics.inFlight.record(inFlight.add(1, ordering: .relaxed).newValue)
        defer { metrics.inFlight.record(inFlight.subtract(1, ordering: .relaxed).newValue) }
        let now = Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
        let decision = await processor.process(properties: delivery.properties, body: delivery.body, nowMilliseconds: now)
        switch decision {
        case let .drop(reason):
            metrics.dropped(reason: reason).increment()
            logger.info("adapter.request.dropped", metadata: [
                "rpc.reason": "\(reason)", "rpc.method": "\(delivery.properties.type ?? "")",
                "amqp.correlation_id": "\(delivery.properties.correlationID ?? "")",
            ])
            consumer.ack(delivery)
        case let .reply(body, method, outcome):
            var properties = AMQPProperties(contentType: RPCContract.contentType, deliveryMode: .transient)
            properties.type = delivery.properties.type
            properties.headers = [RPCContract.Header.version: .int(RPCContract.version)]
            do {
                // Reply (no publisher confirm: direct reply-to stores nothing) and ack in one turn of the
                // connection's loop, the ack after the reply was written.
                try await consumer.reply(to: delivery, with: AMQPRPCReply(body: body, properties: properties))
                metrics.requests(method: method, outcome: outcome).increment()
                metrics.latency(method: method).recordInterval(since: started)
                if outcome != "ok" {
                    logger.info("adapter.request.refused", metadata: ["rpc.method": "\(method)", "rpc.error": "\(outcome)"])
                }
            } catch {
                // Connection lost: the broker redelivers the unacknowledged request to a live adapter (the
                // reject below is then a no-op). Any other failure dead-letters it; counted either way.
                metrics.replyFailures.increment()
                logger.warning("adapter.reply.failed", metadata: ["rpc.method": "\(method)", "error.message": "\(error)"])
                consumer.reject(delivery, requeue: false)
            }
        }
    }
}

extension Metrics.Timer {
    /// Records the time elapsed since `start`.
    func recordInterval(since start: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - start
        let (seconds, attoseconds) = elapsed.components
        recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}

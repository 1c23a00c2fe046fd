import CRabbitMQ
import Logging

/// A consumer's channel state on the connection thread. Deliveries are collected during one
/// turn of the loop and handed to the async side as one array (one continuation hop per batch,
/// not per message). The stream needs no extra bound: basic.qos caps unacked deliveries.
final class ConsumerChannel: DeliveryReceiver {
    struct Spec: Sendable {
        var queue: String
        var prefetch: UInt16
        var tag: String
        var exclusive: Bool
        var arguments: AMQPTable
    }

    let spec: Spec
    let continuation: AsyncThrowingStream<[Delivery], any Error>.Continuation
    let buffer: ConsumerBuffer
    var batch: [Delivery] = []
    var batchBytes = 0
    var active = false
    var cancelSent = false
    var cancelWaiters: [CheckedContinuation<Void, Never>] = []

    init(channel: UInt16, spec: Spec, continuation: AsyncThrowingStream<[Delivery], any Error>.Continuation,
         buffer: ConsumerBuffer) {
        self.spec = spec
        self.continuation = continuation
        self.buffer = buffer
        super.init(channel: channel)
    }

    override func deliver(_ delivery: Delivery) {
        batch.append(delivery)
        batchBytes += delivery.body.count
    }

    /// Whether the application holds (or is about to be handed) as many bytes as the limit allows.
    var isFull: Bool { buffer.isLimited && buffer.current + batchBytes >= buffer.limit }

    func flush() {
        guard !batch.isEmpty else { return }
        buffer.added(batchBytes)
        continuation.yield(batch)
        batch = []
        batchBytes = 0
    }

    /// Deliveries of a dead connection are dropped: the broker requeues and redelivers them.
    func connectionLost() {
        active = false
        batch = []
        batchBytes = 0
        reset()
    }

    func finish(throwing error: AMQPError?) {
        active = false
        continuation.finish(throwing: error)
        for waiter in cancelWaiters { waiter.resume() }
        cancelWaiters = []
    }
}

extension Session {
    func flushConsumers() {
        for consumer in consumers.values { consumer.flush() }
    }

    /// A byte-limited consumer is full: reading the socket waits until the application takes some.
    var readingPaused: Bool {
        guard hasByteLimitedConsumers else { return false }
        return consumers.values.contains { $0.isFull }
    }

    /// Opens a channel and starts `consumer` (first time, and again after every reconnect).
    func startConsumer(_ consumer: ConsumerChannel) throws(AMQPError) {
        let st = try requireConnected()
        defer { arena.reset() }
        let ch = consumer.channel
        let spec = consumer.spec
        _ = amqp_channel_open(st, ch)
        try checkReply(channel: ch, "opening a consumer channel")
        // Per-consumer prefetch (global = 0): quorum queues reject global QoS.
        _ = amqp_basic_qos(st, ch, 0, spec.prefetch, 0)
        try checkReply(channel: ch, "setting prefetch \(spec.prefetch)")
        _ = amqp_basic_consume(st, ch, arena.bytes(spec.queue), arena.bytes(spec.tag), 0, 0,
                               spec.exclusive ? 1 : 0, arena.table(spec.arguments))
        try checkReply(channel: ch, "consuming from queue '\(spec.queue)'")
        consumer.generation = generation
        consumer.active = true
        receivers[ch] = consumer
    }

    func addConsumer(_ spec: ConsumerChannel.Spec,
                     continuation: AsyncThrowingStream<[Delivery], any Error>.Continuation,
                     buffer: ConsumerBuffer) throws(AMQPError) -> UInt16 {
        _ = try requireConnected()
        let channel = allocateChannel()
        let consumer = ConsumerChannel(channel: channel, spec: spec, continuation: continuation, buffer: buffer)
        if buffer.isLimited { hasByteLimitedConsumers = true }
        do throws(AMQPError) {
            try startConsumer(consumer)
        } catch {
            receivers[channel] = nil
            if state != nil { freeChannels.append(channel) }
            throw error
        }
        consumers[channel] = consumer
        logger.debug("amqp.consumer.started", metadata: ["amqp.queue": "\(spec.queue)", "amqp.channel": "\(channel)"])
        return channel
    }

    /// Sends ack / nack / reject. A tag from an earlier connection generation is dropped.
    func settle(_ tag: DeliveryTag, multiple: Bool, kind: SettleKind) {
        guard let st = state, tag.generation == generation, receivers[tag.channel] != nil else {
            logger.debug("amqp.ack.stale", metadata: ["amqp.delivery_tag": "\(tag)"])
            return
        }
        let status: Int32
        switch kind {
        case .ack: status = amqp_basic_ack(st, tag.channel, tag.value, multiple ? 1 : 0)
        case .nack(let requeue): status = amqp_basic_nack(st, tag.channel, tag.value, multiple ? 1 : 0, requeue ? 1 : 0)
        case .reject(let requeue): status = amqp_basic_reject(st, tag.channel, tag.value, requeue ? 1 : 0)
        }
        if status != AMQP_STATUS_OK.rawValue { connectionLost(libraryError(status, "acknowledging")) }
    }

    enum SettleKind: Sendable {
        case ack
        case nack(requeue: Bool)
        case reject(requeue: Bool)
    }

    /// basic.cancel; the stream finishes when cancel-ok arrives, after the deliveries already sent.
    /// The channel stays open so those deliveries can still be acknowledged.
    func cancelConsumer(channel: UInt16, waiter: CheckedContinuation<Void, Never>?) {
        guard let consumer = consumers[channel] else {
            waiter?.resume()
            return
        }
        if let waiter { consumer.cancelWaiters.append(waiter) }
        guard let st = state, consumer.active else {
            consumers[channel] = nil
            consumer.finish(throwing: nil)
            return
        }
        guard !consumer.cancelSent else { return }
        consumer.cancelSent = true
        let status = hs_amqp_send_basic_cancel(st, channel, arena.bytes(consumer.spec.tag))
        arena.reset()
        if status != AMQP_STATUS_OK.rawValue { connectionLost(libraryError(status, "cancelling a consumer")) }
    }

    func cancelConfirmed(channel: UInt16) {
        guard let consumer = consumers.removeValue(forKey: channel) else { return }
        consumer.flush()
        consumer.finish(throwing: nil)
    }

    func brokerCancelled(channel: UInt16) {
        guard let consumer = consumers.removeValue(forKey: channel) else { return }
        consumer.flush()
        consumer.finish(throwing: AMQPError(.consumerCancelled, "the broker cancelled the consumer of queue '\(consumer.spec.queue)' (queue deleted or its leader moved) — declare the queue and consume again"))
    }

    /// Closes a consumer's channel; unacknowledged deliveries go back to the queue.
    func closeConsumerChannel(_ channel: UInt16) {
        if let consumer = consumers.removeValue(forKey: channel) {
            consumer.flush()
            consumer.finish(throwing: nil)
        }
        guard receivers.removeValue(forKey: channel) != nil, let st = state else { return }
        _ = amqp_channel_close(st, channel, AMQP_REPLY_SUCCESS)
        do throws(AMQPError) {
            try checkReply(channel: channel, "closing a consumer channel")
            freeChannels.append(channel)
        } catch {}
    }
}

/// Deliveries from one queue, as an `AsyncSequence`.
///
/// Iterate it once — either element by element or through ``batches`` — and settle each
/// delivery with ``ack(_:multiple:)``, ``nack(_:requeue:multiple:)`` or ``reject(_:requeue:)``.
/// Settling is non-blocking: it queues the frame for the connection's thread.
///
/// ```swift
/// for try await delivery in consumer {
///     try handle(delivery)
///     consumer.ack(delivery)
/// }
/// ```
///
/// After a reconnect the consumer resumes by itself. Deliveries received before the connection
/// was lost can no longer be acknowledged (the broker redelivers them with `redelivered` set);
/// settling them is a harmless no-op.
public struct AMQPConsumer: AsyncSequence, Sendable {
    public typealias Element = Delivery
    public typealias Failure = any Error

    /// The connection this consumer belongs to.
    public let connection: AMQPConnection
    /// The queue being consumed.
    public let queue: String
    let channel: UInt16
    private let stream: AsyncThrowingStream<[Delivery], any Error>
    private let buffer: ConsumerBuffer

    init(connection: AMQPConnection, channel: UInt16, queue: String, stream: AsyncThrowingStream<[Delivery], any Error>,
         buffer: ConsumerBuffer) {
        self.connection = connection
        self.channel = channel
        self.queue = queue
        self.stream = stream
        self.buffer = buffer
    }

    /// Body bytes received and not yet taken from this consumer (bounded by the `maxBufferedBytes`
    /// given to ``AMQPConnection/consume(queue:prefetch:consumerTag:exclusive:arguments:maxBufferedBytes:)``,
    /// plus at most one message).
    public var bufferedBytes: Int { buffer.current }

    /// The deliveries in the arrays the connection thread produced them in (the cheapest way to
    /// consume at high rates). Use instead of iterating the consumer itself, not both.
    public var batches: Batches { Batches(base: stream, buffer: buffer, core: connection.core) }

    /// The arrays of deliveries, as the connection thread produced them.
    public struct Batches: AsyncSequence, Sendable {
        public typealias Element = [Delivery]
        public typealias Failure = any Error

        let base: AsyncThrowingStream<[Delivery], any Error>
        let buffer: ConsumerBuffer
        let core: ConnectionCore

        public func makeAsyncIterator() -> AsyncIterator {
            AsyncIterator(base: base.makeAsyncIterator(), buffer: buffer, core: core)
        }

        public struct AsyncIterator: AsyncIteratorProtocol {
            var base: AsyncThrowingStream<[Delivery], any Error>.AsyncIterator
            let buffer: ConsumerBuffer
            let core: ConnectionCore

            public mutating func next() async throws -> [Delivery]? {
                try await next(isolation: nil)
            }

            public mutating func next(isolation actor: isolated (any Actor)?) async throws(any Error) -> [Delivery]? {
                guard let batch = try await base.next(isolation: actor) else { return nil }
                Self.taken(batch, buffer: buffer, core: core)
                return batch
            }

            /// Accounts for a batch leaving the buffer; wakes the reader if it was paused on it.
            static func taken(_ batch: [Delivery], buffer: ConsumerBuffer, core: ConnectionCore) {
                guard buffer.isLimited else { return }
                if buffer.taken(batch.reduce(0) { $0 + $1.body.count }) {
                    core.submit { _ in }
                }
            }
        }
    }

    /// Acknowledges a delivery (and, with `multiple`, every earlier one on this consumer).
    public func ack(_ delivery: Delivery, multiple: Bool = false) {
        ack(delivery.deliveryTag, multiple: multiple)
    }

    /// Acknowledges by tag; with `multiple`, every delivery up to and including it.
    public func ack(_ tag: DeliveryTag, multiple: Bool = false) {
        settle(tag, multiple: multiple, .ack)
    }

    /// Negatively acknowledges; with `requeue: false` the message is dead-lettered (or dropped
    /// when the queue has no dead-letter exchange).
    public func nack(_ delivery: Delivery, requeue: Bool = true, multiple: Bool = false) {
        nack(delivery.deliveryTag, requeue: requeue, multiple: multiple)
    }

    /// Negatively acknowledges by tag; see ``nack(_:requeue:multiple:)-(Delivery,_,_)``.
    public func nack(_ tag: DeliveryTag, requeue: Bool = true, multiple: Bool = false) {
        settle(tag, multiple: multiple, .nack(requeue: requeue))
    }

    /// Rejects one delivery; with `requeue: false` it is dead-lettered or dropped.
    public func reject(_ delivery: Delivery, requeue: Bool = false) {
        settle(delivery.deliveryTag, multiple: false, .reject(requeue: requeue))
    }

    private func settle(_ tag: DeliveryTag, multiple: Bool, _ kind: Session.SettleKind) {
        connection.core.submit { $0.settle(tag, multiple: multiple, kind: kind) }
    }

    /// Asks the broker to stop sending (basic.cancel) and returns at once.
    ///
    /// Deliveries already sent still arrive, then the sequence ends; they can still be
    /// acknowledged. This is the graceful shutdown path (cancel → drain → ack → close), and it
    /// can be called from a synchronous graceful-shutdown handler.
    public func cancel() {
        connection.core.submit { $0.cancelConsumer(channel: channel, waiter: nil) }
    }

    /// Like ``cancel()``, and waits until the broker confirmed the cancel.
    public func cancelAndWait() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let accepted = connection.core.submit { session in
                session.cancelConsumer(channel: channel, waiter: continuation)
            }
            if !accepted { continuation.resume() }
        }
    }

    /// Closes the consumer's channel; unacknowledged deliveries return to the queue.
    public func close() {
        connection.core.submit { $0.closeConsumerChannel(channel) }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: batches.makeAsyncIterator())
    }

    /// Yields the deliveries of each batch in order.
    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: Batches.AsyncIterator
        var buffer: [Delivery] = []
        var index = 0

        public mutating func next() async throws -> Delivery? {
            try await next(isolation: nil)
        }

        public mutating func next(isolation actor: isolated (any Actor)?) async throws(any Error) -> Delivery? {
            if index < buffer.count {
                defer { index += 1 }
                return buffer[index]
            }
            guard let batch = try await base.next(isolation: actor) else { return nil }
            buffer = batch
            index = 1
            return batch.first
        }
    }
}

import CRabbitMQ

/// A first-in first-out buffer with O(1) amortised removal at the front.
struct FIFO<Element> {
    private var storage: [Element] = []
    private var head = 0

    var isEmpty: Bool { head == storage.count }
    var count: Int { storage.count - head }
    var first: Element? { isEmpty ? nil : storage[head] }

    subscript(offset: Int) -> Element {
        get { storage[head + offset] }
        set { storage[head + offset] = newValue }
    }

    mutating func append(_ e: Element) { storage.append(e) }

    mutating func popFirst() -> Element? {
        guard !isEmpty else { return nil }
        defer {
            head += 1
            if head == storage.count {
                storage.removeAll(keepingCapacity: true)
                head = 0
            } else if head >= 4096, head * 2 >= storage.count {
                storage.removeFirst(head)
                head = 0
            }
        }
        return storage[head]
    }

    mutating func removeAll(where predicate: (Element) -> Bool) {
        storage = storage[head...].filter { !predicate($0) }
        head = 0
    }

    mutating func drain() -> [Element] {
        defer { storage = []; head = 0 }
        return Array(storage[head...])
    }
}

/// One `publish`/`publishBatch` call: resumes its caller once every message is confirmed.
final class PublishBatch {
    private var remaining: Int
    private var nacked = 0
    private(set) var done = false
    private let continuation: CheckedContinuation<Void, any Error>

    init(count: Int, continuation: CheckedContinuation<Void, any Error>) {
        self.remaining = count
        self.continuation = continuation
        if count == 0 { finish() }
    }

    func settle(ack: Bool) {
        remaining -= 1
        if !ack { nacked += 1 }
        if remaining == 0 { finish() }
    }

    func fail(_ error: AMQPError) {
        guard !done else { return }
        done = true
        continuation.resume(throwing: error)
    }

    private func finish() {
        guard !done else { return }
        done = true
        if nacked > 0 {
            continuation.resume(throwing: AMQPError(.publishNacked, "the broker rejected \(nacked) published message(s) (basic.nack) — a queue is full with overflow reject-publish, or the broker is short of resources; republish later"))
        } else {
            continuation.resume()
        }
    }
}

/// Publisher-confirm state of the publish channel: messages waiting to be written and the
/// window of written-but-unconfirmed ones, in sequence-number order.
final class Publisher {
    struct Unconfirmed {
        var seq: UInt64
        var message: AMQPMessage
        var batch: PublishBatch
        var confirmed = false
    }

    let window: Int
    var open = false
    var nextSeq: UInt64 = 1
    var queued = FIFO<(AMQPMessage, PublishBatch)>()
    var unconfirmed = FIFO<Unconfirmed>()

    init(window: Int) { self.window = window }

    var canSend: Bool { !queued.isEmpty && unconfirmed.count < window }

    /// basic.ack / basic.nack with `multiple` honoured; out-of-order single confirms are allowed.
    func confirm(upTo tag: UInt64, multiple: Bool, ack: Bool) {
        if multiple {
            while let first = unconfirmed.first, first.seq <= tag {
                _ = unconfirmed.popFirst()
                if !first.confirmed { first.batch.settle(ack: ack) }
            }
            return
        }
        guard let first = unconfirmed.first, tag >= first.seq else { return }
        let index = Int(tag - first.seq)
        guard index < unconfirmed.count, !unconfirmed[index].confirmed else { return }
        unconfirmed[index].confirmed = true
        unconfirmed[index].batch.settle(ack: ack)
        while let head = unconfirmed.first, head.confirmed { _ = unconfirmed.popFirst() }
    }

    /// The connection died: every outcome is unknown, so every waiting caller fails.
    func fail(_ error: AMQPError) {
        open = false
        for entry in unconfirmed.drain() { entry.batch.fail(error) }
        for (_, batch) in queued.drain() { batch.fail(error) }
    }

    /// The connection died and will be re-established: every message whose outcome is unknown
    /// (written but unconfirmed, in the order it was written) goes back in front of those not
    /// written yet, to be published again on the next connection. Their callers keep waiting.
    func carryOver() {
        open = false
        var carried = FIFO<(AMQPMessage, PublishBatch)>()
        for entry in unconfirmed.drain() where !entry.confirmed && !entry.batch.done {
            carried.append((entry.message, entry.batch))
        }
        for (message, batch) in queued.drain() where !batch.done { carried.append((message, batch)) }
        queued = carried
    }

    /// The broker closed the publish channel (e.g. unknown exchange): fail the batches that had
    /// messages in flight; other queued batches go out on a fresh channel.
    func channelClosed(_ error: AMQPError) {
        open = false
        for entry in unconfirmed.drain() { entry.batch.fail(error) }
        queued.removeAll { $0.1.done }
    }
}

extension Session {
    func enqueuePublish(_ messages: [AMQPMessage], continuation: CheckedContinuation<Void, any Error>) {
        do throws(AMQPError) {
            _ = try requireConnected()
        } catch {
            continuation.resume(throwing: error)
            return
        }
        let batch = PublishBatch(count: messages.count, continuation: continuation)
        for message in messages { publisher.queued.append((message, batch)) }
    }

    /// Writes queued messages while the confirm window has room.
    func pumpPublishes() {
        guard publisher.canSend, let st = state else { return }
        if !publisher.open {
            _ = amqp_channel_open(st, Self.publishChannel)
            do throws(AMQPError) {
                try checkReply(channel: Self.publishChannel, "opening the publish channel")
                _ = amqp_confirm_select(st, Self.publishChannel)
                try checkReply(channel: Self.publishChannel, "enabling publisher confirms")
            } catch {
                // A lost connection has already failed or carried the messages over.
                if state != nil { publisher.fail(error) }
                return
            }
            publisher.open = true
            publisher.nextSeq = 1
        }
        while publisher.unconfirmed.count < publisher.window, let (message, batch) = publisher.queued.first {
            if batch.done {
                _ = publisher.queued.popFirst()
                continue
            }
            var props = arena.properties(message.properties)
            let status = message.body.withUnsafeBytes { body in
                amqp_basic_publish(st, Self.publishChannel, arena.bytes(message.exchange), arena.bytes(message.routingKey),
                                   0, 0, &props, amqp_bytes_t(len: body.count, bytes: UnsafeMutableRawPointer(mutating: body.baseAddress)))
            }
            arena.reset()
            guard status == AMQP_STATUS_OK.rawValue else {
                // Still queued: carried over to the next connection, or failed with the rest.
                connectionLost(libraryError(status, "publishing"))
                return
            }
            _ = publisher.queued.popFirst()
            publisher.unconfirmed.append(.init(seq: publisher.nextSeq, message: message, batch: batch))
            publisher.nextSeq += 1
        }
    }
}

extension AMQPConnection {
    /// Publishes messages together and returns once the broker confirmed every one of them: all are
    /// written (pipelined up to ``AMQPConfiguration/publishWindow`` unconfirmed at once) and the caller
    /// waits once, for the last confirm, instead of once per message.
    ///
    /// ```swift
    /// try await connection.publish(contentsOf: letters.map {
    ///     AMQPMessage(exchange: "dead-letters", routingKey: $0.queue, body: $0.body)
    /// })
    /// ```
    ///
    /// - Parameter messages: The messages, published in order. An empty array returns at once.
    /// - Throws: ``AMQPError``: ``AMQPError/Code/publishNacked`` when the broker refused any of them
    ///   (the others were confirmed), ``AMQPError/Code/connectionClosed`` when the connection dropped
    ///   before every confirm arrived (some may have arrived). Republish the whole array: delivery is
    ///   at least once, so consumers deduplicate.
    public func publish(contentsOf messages: [AMQPMessage]) async throws {
        guard !messages.isEmpty else { return }
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let accepted = core.submit { $0.enqueuePublish(messages, continuation: continuation) }
            if !accepted { continuation.resume(throwing: core.closedError) }
        }
    }
}

import CRabbitMQ
import Logging

/// Direct reply-to RPC state: one channel that consumes `amq.rabbitmq.reply-to` (no-ack) and
/// publishes the requests, so replies come straight back without a reply queue. Pending calls
/// are matched by correlation id; deadlines are enforced by the connection loop.
final class RPCChannel: DeliveryReceiver {
    struct Call {
        var continuation: CheckedContinuation<Delivery, any Error>
        var deadline: ContinuousClock.Instant
        var routingKey: String
        var timeout: Duration
    }

    var open = false
    var pending: [String: Call] = [:]
    var nextDeadline: ContinuousClock.Instant?

    override func deliver(_ delivery: Delivery) {
        guard let id = delivery.properties.correlationID, let call = pending.removeValue(forKey: id) else {
            return  // a late reply to a call that already timed out
        }
        call.continuation.resume(returning: delivery)
    }

    func fail(_ error: AMQPError) {
        open = false
        reset()
        let calls = pending
        pending = [:]
        nextDeadline = nil
        for call in calls.values { call.continuation.resume(throwing: error) }
    }

    func expire(now: ContinuousClock.Instant) {
        guard let next = nextDeadline, next <= now else { return }
        var earliest: ContinuousClock.Instant?
        for (id, call) in pending {
            if call.deadline <= now {
                pending[id] = nil
                call.continuation.resume(throwing: AMQPError(.timeout, "RPC call to '\(call.routingKey)' got no reply within \(call.timeout) — is a server consuming that queue? raise the timeout if it is slow"))
            } else if earliest.map({ call.deadline < $0 }) ?? true {
                earliest = call.deadline
            }
        }
        nextDeadline = earliest
    }
}

extension Session {
    static let directReplyTo = "amq.rabbitmq.reply-to"

    private func rpcChannel() throws(AMQPError) -> (amqp_connection_state_t, RPCChannel) {
        let st = try requireConnected()
        let channel = rpc ?? RPCChannel(channel: Self.rpcChannel)
        rpc = channel
        if !channel.open {
            defer { arena.reset() }
            _ = amqp_channel_open(st, Self.rpcChannel)
            try checkReply(channel: Self.rpcChannel, "opening the RPC channel")
            _ = amqp_basic_consume(st, Self.rpcChannel, arena.bytes(Self.directReplyTo), amqp_bytes_t(), 0, 1, 0, amqp_table_t())
            try checkReply(channel: Self.rpcChannel, "consuming direct reply-to")
            channel.generation = generation
            channel.open = true
            receivers[Self.rpcChannel] = channel
        }
        return (st, channel)
    }

    func startCall(id: String, message: AMQPMessage, timeout: Duration,
                   continuation: CheckedContinuation<Delivery, any Error>) {
        let st: amqp_connection_state_t
        let channel: RPCChannel
        do throws(AMQPError) {
            (st, channel) = try rpcChannel()
        } catch {
            continuation.resume(throwing: error)
            return
        }
        var properties = message.properties
        properties.replyTo = Self.directReplyTo
        properties.correlationID = id
        if properties.expiration == nil { properties.expiration = String(max(1, timeout.milliseconds)) }
        var props = arena.properties(properties)
        let status = message.body.withUnsafeBytes { body in
            amqp_basic_publish(st, Self.rpcChannel, arena.bytes(message.exchange), arena.bytes(message.routingKey), 0, 0,
                               &props, amqp_bytes_t(len: body.count, bytes: UnsafeMutableRawPointer(mutating: body.baseAddress)))
        }
        arena.reset()
        guard status == AMQP_STATUS_OK.rawValue else {
            let error = libraryError(status, "sending an RPC request")
            continuation.resume(throwing: error)
            connectionLost(error)
            return
        }
        let deadline = ContinuousClock.now + timeout
        channel.pending[id] = .init(continuation: continuation, deadline: deadline, routingKey: message.routingKey, timeout: timeout)
        if channel.nextDeadline.map({ deadline < $0 }) ?? true { channel.nextDeadline = deadline }
    }

    func cancelCall(id: String) {
        guard let call = rpc?.pending.removeValue(forKey: id) else { return }
        call.continuation.resume(throwing: CancellationError())
    }

    func expireCalls(now: ContinuousClock.Instant) {
        rpc?.expire(now: now)
    }
}

extension Session {
    /// The server side of an RPC: writes the reply on the RPC channel (no publisher confirms: a reply
    /// to a direct reply-to address is never stored, so a confirm would only say the broker read it),
    /// then acknowledges the request. Both in one turn of the loop, in that order, so the request is
    /// acknowledged only once its reply was handed to the socket; if the connection dies in between,
    /// the broker redelivers the request and the caller ignores the second reply.
    ///
    /// A request from an earlier connection generation is not answered (the broker already gave it
    /// back to the queue): the caller gets ``AMQPError/Code/connectionClosed``.
    func sendReply(_ message: AMQPMessage, acknowledging tag: DeliveryTag) throws(AMQPError) {
        let (st, _) = try rpcChannel()
        guard tag.generation == generation, receivers[tag.channel] != nil else {
            throw AMQPError(.connectionClosed, "the request's channel was lost before its reply was sent — the broker redelivers it")
        }
        var props = arena.properties(message.properties)
        let status = message.body.withUnsafeBytes { body in
            amqp_basic_publish(st, Self.rpcChannel, arena.bytes(message.exchange), arena.bytes(message.routingKey), 0, 0,
                               &props, amqp_bytes_t(len: body.count, bytes: UnsafeMutableRawPointer(mutating: body.baseAddress)))
        }
        arena.reset()
        guard status == AMQP_STATUS_OK.rawValue else {
            let error = libraryError(status, "sending an RPC reply")
            connectionLost(error)
            throw error
        }
        settle(tag, multiple: false, kind: .ack)
    }
}

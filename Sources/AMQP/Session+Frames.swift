import CRabbitMQ
import Logging
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Assembles basic.deliver + content header + body frames into a ``Delivery``. Subclasses decide
/// where complete deliveries go (a consumer's batch, an RPC call's continuation).
class DeliveryReceiver {
    let channel: UInt16
    var generation: UInt64 = 0
    private var inProgress = false
    private var haveHeader = false
    private var tag: UInt64 = 0
    private var redelivered = false
    // Kept across deliveries: most deliveries repeat the exchange and routing key, so we compare
    // bytes instead of allocating a new String each time.
    private var exchange = ""
    private var routingKey = ""
    private var properties = AMQPProperties(deliveryMode: nil)
    private var expected = 0
    private var body: [UInt8] = []

    init(channel: UInt16) { self.channel = channel }

    func deliver(_ delivery: Delivery) {}

    func begin(_ d: amqp_basic_deliver_t) {
        tag = d.delivery_tag
        redelivered = d.redelivered != 0
        if !exchange.equals(amqp: d.exchange) { exchange = String(amqp: d.exchange) }
        if !routingKey.equals(amqp: d.routing_key) { routingKey = String(amqp: d.routing_key) }
        inProgress = true
        haveHeader = false
    }

    func header(bodySize: UInt64, decoded: UnsafeMutableRawPointer?) {
        guard inProgress else { return }
        if let p = decoded?.assumingMemoryBound(to: amqp_basic_properties_t.self) {
            properties = AMQPProperties(decoding: p.pointee, previous: properties)
        } else {
            properties = AMQPProperties(deliveryMode: nil)
        }
        expected = Int(clamping: bodySize)
        haveHeader = true
        body = []
        if expected == 0 { complete() }
    }

    func body(_ fragment: amqp_bytes_t) {
        guard inProgress, haveHeader else { return }
        if body.isEmpty, fragment.len >= expected {
            body = [UInt8](amqp: fragment)
        } else if let p = fragment.bytes {
            if body.isEmpty { body.reserveCapacity(expected) }
            body.append(contentsOf: UnsafeRawBufferPointer(start: p, count: fragment.len))
        }
        if body.count >= expected { complete() }
    }

    private func complete() {
        inProgress = false
        let delivery = Delivery(body: body, exchange: exchange, routingKey: routingKey,
                                deliveryTag: DeliveryTag(value: tag, channel: channel, generation: generation),
                                redelivered: redelivered, properties: properties)
        body = []
        deliver(delivery)
    }

    /// Drops a half-received message (its connection died).
    func reset() {
        inProgress = false
        body = []
    }
}

extension Session {
    /// Reads every frame that is ready without blocking (at most ``maxFramesPerTurn``).
    func drainFrames(now: ContinuousClock.Instant) {
        guard let st = state else { return }
        var frame = amqp_frame_t()
        var zero = timeval(tv_sec: 0, tv_usec: 0)
        var count = 0
        while count < Self.maxFramesPerTurn {
            let status = amqp_simple_wait_frame_noblock(st, &frame, &zero)
            if status == AMQP_STATUS_TIMEOUT.rawValue { break }
            guard status == AMQP_STATUS_OK.rawValue else {
                connectionLost(libraryError(status, "reading from the socket"))
                return
            }
            count += 1
            handle(frame, st)
            guard state != nil else { return }
            // Frames are decoded into per-channel pools; everything we need was copied out.
            amqp_maybe_release_buffers(st)
            if hasByteLimitedConsumers, readingPaused { break }
        }
        if count > 0 { lastInbound = now }
    }

    private func handle(_ frame: amqp_frame_t, _ st: amqp_connection_state_t) {
        switch Int32(frame.frame_type) {
        case AMQP_FRAME_METHOD:
            handleMethod(channel: frame.channel, id: frame.payload.method.id, decoded: frame.payload.method.decoded, st)
        case AMQP_FRAME_HEADER:
            receivers[frame.channel]?.header(bodySize: frame.payload.properties.body_size,
                                             decoded: frame.payload.properties.decoded)
        case AMQP_FRAME_BODY:
            receivers[frame.channel]?.body(frame.payload.body_fragment)
        default:
            break
        }
    }

    private func handleMethod(channel: UInt16, id: amqp_method_number_t, decoded: UnsafeMutableRawPointer?,
                              _ st: amqp_connection_state_t) {
        guard let decoded else { return }
        switch id {
        case HS_BASIC_DELIVER:
            receivers[channel]?.begin(decoded.assumingMemoryBound(to: amqp_basic_deliver_t.self).pointee)
        case HS_BASIC_ACK where channel == Self.publishChannel:
            let ack = decoded.assumingMemoryBound(to: amqp_basic_ack_t.self).pointee
            publisher.confirm(upTo: ack.delivery_tag, multiple: ack.multiple != 0, ack: true)
        case HS_BASIC_NACK where channel == Self.publishChannel:
            let nack = decoded.assumingMemoryBound(to: amqp_basic_nack_t.self).pointee
            publisher.confirm(upTo: nack.delivery_tag, multiple: nack.multiple != 0, ack: false)
        case HS_BASIC_CANCEL:
            let cancel = decoded.assumingMemoryBound(to: amqp_basic_cancel_t.self).pointee
            if cancel.nowait == 0 { _ = hs_amqp_send_cancel_ok(st, channel, cancel.consumer_tag) }
            brokerCancelled(channel: channel)
        case HS_BASIC_CANCEL_OK:
            cancelConfirmed(channel: channel)
        case HS_CHANNEL_CLOSE:
            let close = decoded.assumingMemoryBound(to: amqp_channel_close_t.self).pointee
            let error = AMQPError.fromReply(code: close.reply_code, text: String(amqp: close.reply_text),
                                            context: "channel \(channel)")
            _ = hs_amqp_send_close_ok(st, channel)
            channelClosed(channel, error)
        case HS_CONNECTION_CLOSE:
            let close = decoded.assumingMemoryBound(to: amqp_connection_close_t.self).pointee
            let error = AMQPError.fromReply(code: close.reply_code, text: String(amqp: close.reply_text),
                                            context: "the connection to \(config.redactedURL)")
            _ = hs_amqp_send_close_ok(st, 0)
            connectionLost(error)
        case HS_CONNECTION_BLOCKED:
            logger.info("amqp.connection.blocked")
        case HS_CONNECTION_UNBLOCKED:
            logger.info("amqp.connection.unblocked")
        default:
            logger.debug("amqp.frame.ignored", metadata: ["amqp.method": "\(String(cString: amqp_method_name(id)))"])
        }
    }

    /// The broker closed `channel` (answered already): fail or finish whatever used it.
    func channelClosed(_ channel: UInt16, _ error: AMQPError) {
        logger.info("amqp.channel.closed", metadata: ["amqp.channel": "\(channel)", "error.message": "\(error.message)"])
        switch channel {
        case Self.controlChannel:
            controlOpen = false
        case Self.publishChannel:
            publisher.channelClosed(error)
        case Self.rpcChannel:
            rpc?.fail(error)
            receivers[channel] = nil
        default:
            if let consumer = consumers.removeValue(forKey: channel) {
                consumer.flush()
                consumer.finish(throwing: error)
            }
            if receivers.removeValue(forKey: channel) != nil { freeChannels.append(channel) }
        }
    }
}

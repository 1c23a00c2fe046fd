import CRabbitMQ

/// A declaration remembered so it can be replayed after a reconnect.
enum TopologyRecord: Hashable, Sendable {
    case exchange(name: String, type: String, durable: Bool, autoDelete: Bool, arguments: AMQPTable)
    case queue(name: String, options: QueueOptions)
    case binding(queue: String, exchange: String, routingKey: String, arguments: AMQPTable)
}

extension Session {
    private func controlChannel() throws(AMQPError) -> amqp_connection_state_t {
        let st = try requireConnected()
        if !controlOpen {
            _ = amqp_channel_open(st, Self.controlChannel)
            try checkReply(channel: Self.controlChannel, "opening the control channel")
            controlOpen = true
        }
        return st
    }

    /// Declares (or binds) and, when `record` is set, remembers it for reconnects.
    @discardableResult
    func declare(_ item: TopologyRecord, record: Bool = true) throws(AMQPError) -> QueueState? {
        let st = try controlChannel()
        defer { arena.reset() }
        let ch = Self.controlChannel
        var result: QueueState?
        switch item {
        case let .exchange(name, type, durable, autoDelete, arguments):
            _ = amqp_exchange_declare(st, ch, arena.bytes(name), arena.bytes(type), 0, durable ? 1 : 0,
                                      autoDelete ? 1 : 0, 0, arena.table(arguments))
            try checkReply(channel: ch, "declaring exchange '\(name)'")
        case let .queue(name, options):
            let ok = amqp_queue_declare(st, ch, arena.bytes(name), 0, options.durable ? 1 : 0, options.exclusive ? 1 : 0,
                                        options.autoDelete ? 1 : 0, arena.table(options.declarationArguments))
            try checkReply(channel: ch, "declaring queue '\(name)'")
            if let ok {
                result = QueueState(name: String(amqp: ok.pointee.queue), messageCount: ok.pointee.message_count,
                                    consumerCount: ok.pointee.consumer_count)
            }
        case let .binding(queue, exchange, routingKey, arguments):
            _ = amqp_queue_bind(st, ch, arena.bytes(queue), arena.bytes(exchange), arena.bytes(routingKey),
                                arena.table(arguments))
            try checkReply(channel: ch, "binding queue '\(queue)' to exchange '\(exchange)'")
        }
        // Server-named queues get a new name on every connection: nothing to replay.
        if record, !topology.contains(item), !(item.isServerNamedQueue) {
            topology.append(item)
        }
        return result
    }

    /// queue.declare with passive=1: the queue's counts, or ``AMQPError/Code/notFound``.
    func inspectQueue(_ name: String) throws(AMQPError) -> QueueState {
        let st = try controlChannel()
        defer { arena.reset() }
        let ok = amqp_queue_declare(st, Self.controlChannel, arena.bytes(name), 1, 0, 0, 0, amqp_table_t())
        try checkReply(channel: Self.controlChannel, "inspecting queue '\(name)'")
        guard let ok else { throw AMQPError(.protocolError, "inspecting queue '\(name)' returned no result") }
        return QueueState(name: name, messageCount: ok.pointee.message_count, consumerCount: ok.pointee.consumer_count)
    }

    func deleteQueue(_ name: String, ifUnused: Bool, ifEmpty: Bool) throws(AMQPError) -> UInt32 {
        let st = try controlChannel()
        defer { arena.reset() }
        let ok = amqp_queue_delete(st, Self.controlChannel, arena.bytes(name), ifUnused ? 1 : 0, ifEmpty ? 1 : 0)
        try checkReply(channel: Self.controlChannel, "deleting queue '\(name)'")
        topology.removeAll { record in
            switch record {
            case .queue(let q, _), .binding(let q, _, _, _): q == name
            case .exchange: false
            }
        }
        return ok?.pointee.message_count ?? 0
    }

    func deleteExchange(_ name: String, ifUnused: Bool) throws(AMQPError) {
        let st = try controlChannel()
        defer { arena.reset() }
        _ = amqp_exchange_delete(st, Self.controlChannel, arena.bytes(name), ifUnused ? 1 : 0)
        try checkReply(channel: Self.controlChannel, "deleting exchange '\(name)'")
        topology.removeAll { record in
            switch record {
            case .exchange(let e, _, _, _, _), .binding(_, let e, _, _): e == name
            case .queue: false
            }
        }
    }

    func purgeQueue(_ name: String) throws(AMQPError) -> UInt32 {
        let st = try controlChannel()
        defer { arena.reset() }
        let ok = amqp_queue_purge(st, Self.controlChannel, arena.bytes(name))
        try checkReply(channel: Self.controlChannel, "purging queue '\(name)'")
        return ok?.pointee.message_count ?? 0
    }
}

extension TopologyRecord {
    var isServerNamedQueue: Bool {
        if case .queue(let name, _) = self { return name.isEmpty }
        return false
    }
}

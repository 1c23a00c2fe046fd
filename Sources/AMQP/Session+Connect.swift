import CRabbitMQ
import Logging

extension Session {
    /// The first connect: tries every address in order and keeps the first that answers. When none
    /// does, the error names each address and why it failed (one address: its error unchanged).
    func establishFirst() throws(AMQPError) {
        var failures: [AMQPError] = []
        for index in endpoints.indices {
            do throws(AMQPError) {
                try establish(at: index)
                if !failures.isEmpty {
                    logger.info("amqp.connection.failover", metadata: ["amqp.unreachable": "\(failures.count)"])
                }
                return
            } catch {
                if endpoints.count > 1 {
                    logger.info("amqp.connect.failed", metadata: ["error.code": "\(error.code)", "error.message": "\(error.message)"])
                }
                failures.append(error)
            }
        }
        guard failures.count > 1, let first = failures.first else {
            throw failures.first ?? AMQPError(.invalidConfiguration, "no broker address to connect to")
        }
        let code = failures.allSatisfy { $0.code == first.code } ? first.code : .connectionRefused
        throw AMQPError(code, "none of the \(failures.count) brokers of the URL list answered: "
                        + failures.map(\.message).joined(separator: " | "))
    }

    /// Opens the socket to the address at `index`, logs in and records the new generation. Throws a
    /// typed error whose text says what to fix; leaves `state` nil on failure.
    func establish(at index: Int) throws(AMQPError) {
        endpointIndex = index
        config = core.configuration.pinned(to: endpoints[index])
        logger[metadataKey: "amqp.url"] = "\(config.redactedURL)"
        guard let st = amqp_new_connection() else {
            throw AMQPError(.connectionRefused, "rabbitmq-c could not allocate a connection (out of memory)")
        }
        do throws(AMQPError) {
            try open(st)
        } catch {
            amqp_destroy_connection(st)
            throw error
        }
        state = st
        generation += 1
        heartbeatSeconds = Int(amqp_get_heartbeat(st))
        lastInbound = .now
        lastHeartbeatSent = nil
        socketReadable = false
        controlOpen = false
        core.setEndpoint(endpoints[index])
        logger.info("amqp.connection.open", metadata: ["amqp.generation": "\(generation)", "amqp.heartbeat": "\(heartbeatSeconds)",
                                                     "amqp.endpoint": "\(endpoints[index])"])
    }

    private func open(_ st: amqp_connection_state_t) throws(AMQPError) {
        let url = config.redactedURL
        let socket: OpaquePointer?
        if let tls = config.tls {
            socket = amqp_ssl_socket_new(st)
            if let socket {
                if let ca = tls.caCertificatePath, amqp_ssl_socket_set_cacert(socket, ca) != 0 {
                    throw AMQPError(.tlsFailed, "cannot read CA certificate file '\(ca)' for \(url) — check the cacertfile path")
                }
                if let cert = tls.clientCertificatePath, let key = tls.clientKeyPath,
                   amqp_ssl_socket_set_key(socket, cert, key) != 0 {
                    throw AMQPError(.tlsFailed, "cannot read client certificate '\(cert)' or key '\(key)' — check certfile/keyfile")
                }
                amqp_ssl_socket_set_verify_peer(socket, tls.verifyPeer ? 1 : 0)
                amqp_ssl_socket_set_verify_hostname(socket, tls.verifyHostname ? 1 : 0)
            }
        } else {
            socket = amqp_tcp_socket_new(st)
        }
        guard let socket else { throw AMQPError(.connectionRefused, "rabbitmq-c could not create a socket for \(url)") }

        var connectTimeout = config.connectTimeout.cTimeval
        let status = amqp_socket_open_noblock(socket, config.host, Int32(config.port), &connectTimeout)
        if status != AMQP_STATUS_OK.rawValue {
            throw openError(status)
        }
        _ = amqp_set_handshake_timeout(st, &connectTimeout)
        var rpcTimeout = config.operationTimeout.cTimeval
        _ = amqp_set_rpc_timeout(st, &rpcTimeout)

        var properties: AMQPTable = ["product": .string(config.productName)]
        if let name = config.connectionName { properties["connection_name"] = .string(name) }
        properties.merge(config.clientProperties) { _, given in given }
        // The capabilities describe this client's code, so the application cannot change them.
        properties["capabilities"] = ["authentication_failure_close": true, "consumer_cancel_notify": true,
                                      "publisher_confirms": true, "basic.nack": true, "connection.blocked": true]
        var table = arena.table(properties)
        defer { arena.reset() }
        let heartbeat = Int32(clamping: config.heartbeat.components.seconds)
        let reply = hs_amqp_login_plain(st, config.virtualHost, 0, Int32(clamping: config.frameMax), heartbeat,
                                        &table, config.username, config.password)
        try checkLogin(reply, st)
    }

    private func openError(_ status: Int32) -> AMQPError {
        let url = config.redactedURL
        let text = String(cString: amqp_error_string2(status))
        switch status {
        case AMQP_STATUS_TIMEOUT.rawValue:
            return AMQPError(.timeout, "connecting to \(url) timed out after \(config.connectTimeout) — check the host and port in the URL and that no firewall drops the traffic")
        case AMQP_STATUS_HOSTNAME_RESOLUTION_FAILED.rawValue:
            return AMQPError(.connectionRefused, "cannot resolve host '\(config.host)' of \(url) — check the host in the URL")
        case let s where s <= AMQP_STATUS_SSL_ERROR.rawValue && s > _AMQP_STATUS_SSL_NEXT_VALUE.rawValue:
            return AMQPError(.tlsFailed, "TLS handshake with \(url) failed (\(text)) — check the CA file, certificate names and that the port speaks TLS")
        default:
            return AMQPError(.connectionRefused, "cannot connect to \(url) (\(text)) — is the broker running? check the host and port in the URL")
        }
    }

    private func checkLogin(_ reply: amqp_rpc_reply_t, _ st: amqp_connection_state_t) throws(AMQPError) {
        let url = config.redactedURL
        let user = config.username
        switch reply.reply_type {
        case AMQP_RESPONSE_NORMAL:
            return
        case AMQP_RESPONSE_SERVER_EXCEPTION:
            guard reply.reply.id == HS_CONNECTION_CLOSE,
                  let close = reply.reply.decoded?.assumingMemoryBound(to: amqp_connection_close_t.self).pointee
            else { break }
            _ = hs_amqp_send_close_ok(st, 0)
            let text = String(amqp: close.reply_text)
            if close.reply_code == 403, text.contains("Login") || text.contains("auth") {
                throw AMQPError(.authenticationFailed, "authentication failed for user '\(user)' on \(url) — check the credentials in the URL", replyCode: 403)
            }
            throw AMQPError(.accessRefused, "user '\(user)' may not open virtual host '\(config.virtualHost)' on \(url) (broker: \(close.reply_code) \(text)) — check the virtual host in the URL and the user's permissions", replyCode: close.reply_code)
        case AMQP_RESPONSE_LIBRARY_EXCEPTION:
            let status = reply.library_error
            if status == AMQP_STATUS_TIMEOUT.rawValue {
                throw AMQPError(.timeout, "AMQP handshake with \(url) timed out after \(config.connectTimeout) — is this port a RabbitMQ AMQP listener?")
            }
            if status == AMQP_STATUS_CONNECTION_CLOSED.rawValue || status == AMQP_STATUS_SOCKET_CLOSED.rawValue
                || status == AMQP_STATUS_SOCKET_ERROR.rawValue {
                throw AMQPError(.authenticationFailed, "the broker closed the connection during login as user '\(user)' on \(url) — check the credentials and the virtual host in the URL")
            }
            throw AMQPError(.protocolError, "login to \(url) failed: \(String(cString: amqp_error_string2(status))) — is this port a RabbitMQ AMQP listener?")
        default:
            break
        }
        throw AMQPError(.protocolError, "login to \(url) failed with an unexpected reply — is this port a RabbitMQ AMQP listener?")
    }

    /// Checks the reply of the synchronous rabbitmq-c call just made on `channel`. A channel.close
    /// is answered and marks the channel closed; a connection-level failure tears down the
    /// connection (and schedules a reconnect).
    func checkReply(channel: UInt16, _ context: @autoclosure () -> String) throws(AMQPError) {
        guard let st = state else { throw try requireConnectedError() }
        let reply = amqp_get_rpc_reply(st)
        switch reply.reply_type {
        case AMQP_RESPONSE_NORMAL:
            return
        case AMQP_RESPONSE_SERVER_EXCEPTION:
            if reply.reply.id == HS_CHANNEL_CLOSE,
               let close = reply.reply.decoded?.assumingMemoryBound(to: amqp_channel_close_t.self).pointee {
                let error = AMQPError.fromReply(code: close.reply_code, text: String(amqp: close.reply_text), context: context())
                _ = hs_amqp_send_close_ok(st, channel)
                channelClosed(channel, error)
                throw error
            }
            if reply.reply.id == HS_CONNECTION_CLOSE,
               let close = reply.reply.decoded?.assumingMemoryBound(to: amqp_connection_close_t.self).pointee {
                let error = AMQPError.fromReply(code: close.reply_code, text: String(amqp: close.reply_text), context: context())
                _ = hs_amqp_send_close_ok(st, 0)
                connectionLost(error)
                throw error
            }
            let error = AMQPError(.protocolError, "\(context()) failed: unexpected reply from the broker — please report this client bug")
            connectionLost(error)
            throw error
        default:
            let error = libraryError(reply.library_error, context())
            connectionLost(error)
            throw error
        }
    }

    private func requireConnectedError() throws(AMQPError) -> AMQPError {
        _ = try requireConnected()
        return core.closedError
    }

    func libraryError(_ status: Int32, _ context: String) -> AMQPError {
        let text = String(cString: amqp_error_string2(status))
        if status == AMQP_STATUS_TIMEOUT.rawValue || status == AMQP_STATUS_HEARTBEAT_TIMEOUT.rawValue {
            return AMQPError(.timeout, "\(context) timed out on \(config.redactedURL) (\(text)) — the broker is unresponsive; the client reconnects")
        }
        return AMQPError(.connectionClosed, "connection to \(config.redactedURL) lost while \(context) (\(text)) — the client reconnects; retry the operation")
    }

    /// Tears down a broken connection: everything in flight fails with `error`, consumers stay
    /// registered (their unacked deliveries are redelivered by the broker) and a reconnect is
    /// scheduled.
    func connectionLost(_ error: AMQPError) {
        guard let st = state else { return }
        amqp_destroy_connection(st)
        state = nil
        let reconnecting = config.reconnect.enabled && !closed
        core.setState(reconnecting ? .reconnecting : .closed)
        logger.warning("amqp.connection.lost", metadata: ["error.code": "\(error.code)", "error.message": "\(error.message)",
                                                       "amqp.reconnecting": "\(reconnecting)"])
        let carry = reconnecting && config.reconnect.republishUnconfirmed
        failEverything(error, finishConsumers: !reconnecting, carryPublishes: carry)
        if carry, !publisher.queued.isEmpty {
            republishDeadline = .now + config.reconnect.republishTimeout
            logger.info("amqp.publish.carried", metadata: ["amqp.messages": "\(publisher.queued.count)"])
        }
        if reconnecting {
            reconnectAttempt = 0
            lostEndpoint = endpointIndex
            scheduleReconnect()
        } else {
            closed = true
        }
    }

    /// Fails the messages carried over a lost connection that no reconnect took in time.
    func giveUpRepublishing() {
        republishDeadline = nil
        publisher.fail(AMQPError(.connectionClosed, "no broker of \(core.configuration.redactedURL) took the connection back within \(config.reconnect.republishTimeout) — the messages were not republished; publish them again"))
    }

    func failEverything(_ error: AMQPError, finishConsumers: Bool, carryPublishes: Bool = false) {
        controlOpen = false
        receivers.removeAll()
        freeChannels = (4..<max(4, nextChannel)).filter { consumers[$0] == nil }
        if carryPublishes {
            publisher.carryOver()
        } else {
            republishDeadline = nil
            publisher.fail(error)
        }
        rpc?.fail(error)
        for consumer in consumers.values {
            consumer.connectionLost()
            if finishConsumers { consumer.finish(throwing: error) }
        }
        if finishConsumers { consumers.removeAll() }
    }

    private func scheduleReconnect() {
        let delay = schedule.delay(beforeAttempt: reconnectAttempt + 1, jitter: Double.random(in: 0.5...1.0))
        nextReconnect = .now + delay
    }

    func reconnect() {
        reconnectAttempt += 1
        do throws(AMQPError) {
            try establish(at: schedule.endpoint(attempt: reconnectAttempt, lost: lostEndpoint))
        } catch {
            logger.info("amqp.reconnect.failed", metadata: ["amqp.attempt": "\(reconnectAttempt)", "error.message": "\(error.message)"])
            scheduleReconnect()
            return
        }
        nextReconnect = nil
        republishDeadline = nil
        reattach()
        // Connected for observers only once the topology and the consumers are back.
        if state != nil { core.setState(.connected, generation: generation) }
    }

    /// After a reconnect: declares the recorded topology again and restarts the consumers.
    private func reattach() {
        for record in topology {
            do throws(AMQPError) { try declare(record, record: false) } catch {
                logger.info("amqp.reconnect.redeclare_failed", metadata: ["error.message": "\(error.message)"])
                if state == nil { return }
            }
        }
        for consumer in consumers.values.sorted(by: { $0.channel < $1.channel }) {
            if consumer.cancelSent {
                consumers[consumer.channel] = nil
                consumer.finish(throwing: nil)
                continue
            }
            do throws(AMQPError) { try startConsumer(consumer) } catch {
                if state == nil { return }
                consumer.finish(throwing: error)
                consumers[consumer.channel] = nil
            }
        }
        logger.info("amqp.reconnect.done", metadata: ["amqp.generation": "\(generation)", "amqp.consumers": "\(consumers.count)",
                                                    "amqp.endpoint": "\(endpoints[endpointIndex])",
                                                    "amqp.republishing": "\(publisher.queued.count)"])
    }
}

extension AMQPConsumer {
    /// Header naming why a message was dead-lettered by ``deadLetter(_:exchange:routingKey:reason:detail:)``.
    public static let reasonHeader = "x-hindsight-reason"
    /// Header with a one-line human explanation (no payload data).
    public static let detailHeader = "x-hindsight-detail"
    /// Header with the exchange the message was originally published to.
    public static let originalExchangeHeader = "x-hindsight-original-exchange"
    /// Header with the routing key the message was originally published with.
    public static let originalRoutingKeyHeader = "x-hindsight-original-routing-key"

    /// Dead-letters a delivery with a reason: publishes a copy to `exchange` (with publisher
    /// confirm) carrying ``reasonHeader`` and ``detailHeader``, then acks the original.
    ///
    /// AMQP's reject / nack cannot add headers — the broker's own dead-lettering only records
    /// `x-death` (queue, count, reason `rejected`) — so a worker that must say *why* a message
    /// can never be processed republishes it itself. The copy keeps the body, properties and
    /// headers of the original plus the original exchange and routing key. If the publish fails
    /// the original is not acked and the error is thrown, so nothing is lost (the message is
    /// redelivered and may be dead-lettered twice: consumers of the dead-letter queue should
    /// tolerate duplicates).
    ///
    /// - Parameters:
    ///   - delivery: the delivery to dead-letter.
    ///   - exchange: the dead-letter exchange.
    ///   - routingKey: routing key for the copy; defaults to the original routing key.
    ///   - reason: a short machine-readable code, e.g. `invalid_json`.
    ///   - detail: optional one-line explanation.
    public func deadLetter(_ delivery: Delivery, exchange: String, routingKey: String? = nil,
                           reason: String, detail: String? = nil) async throws {
        var properties = delivery.properties
        properties.headers[Self.reasonHeader] = .string(reason)
        if let detail { properties.headers[Self.detailHeader] = .string(detail) }
        properties.headers[Self.originalExchangeHeader] = .string(delivery.exchange)
        properties.headers[Self.originalRoutingKeyHeader] = .string(delivery.routingKey)
        try await connection.publish(delivery.body, exchange: exchange, routingKey: routingKey ?? delivery.routingKey,
                                     properties: properties)
        ack(delivery)
    }
}

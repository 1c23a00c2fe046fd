extension AMQPConsumer {
    /// Dead-letters a delivery with headers that say why: publishes a copy to `exchange` (with
    /// publisher confirm) carrying `headers`, then acks the original.
    ///
    /// AMQP's reject / nack cannot add headers — the broker's own dead-lettering only records
    /// `x-death` (queue, count, reason `rejected`) — so a worker that must say *why* a message
    /// can never be processed republishes it itself. The copy keeps the body, properties and
    /// headers of the original, with `headers` added (they replace headers of the same name).
    /// If the publish fails the original is not acked and the error is thrown, so nothing is lost
    /// (the message is redelivered and may be dead-lettered twice: consumers of the dead-letter
    /// queue should tolerate duplicates).
    ///
    /// ```swift
    /// try await consumer.deadLetter(delivery, exchange: "orders.dead", headers: [
    ///     "x-reason": "invalid_json",
    ///     "x-original-routing-key": .string(delivery.routingKey),
    /// ])
    /// ```
    ///
    /// - Parameters:
    ///   - delivery: the delivery to dead-letter.
    ///   - exchange: the dead-letter exchange.
    ///   - routingKey: routing key for the copy; defaults to the original routing key.
    ///   - headers: headers added to the copy, e.g. a machine-readable reason; their names are the
    ///     application's contract with the readers of the dead-letter queue.
    /// - Throws: ``AMQPError`` when the copy could not be published and confirmed.
    public func deadLetter(_ delivery: Delivery, exchange: String, routingKey: String? = nil,
                           headers: AMQPTable) async throws {
        var properties = delivery.properties
        properties.headers.merge(headers) { _, added in added }
        try await connection.publish(delivery.body, exchange: exchange, routingKey: routingKey ?? delivery.routingKey,
                                     properties: properties)
        ack(delivery)
    }
}

public import HindsightCore

extension EventPublisher {
    /// How an ``EventPublisher`` builds, sends and keeps messages.
    ///
    /// Every value is checked by the throwing initialiser and cannot change afterwards (the
    /// properties are `let`), so a publisher never runs with an out-of-range setting.
    ///
    /// ```swift
    /// let configuration = try EventPublisher.Configuration(
    ///     eventsPerMessage: 50,
    ///     confirmTimeout: .seconds(5),
    ///     spool: try .init(path: "/var/lib/my-agent/hindsight.spool", maxBytes: 16 << 20))
    /// ```
    public struct Configuration: Sendable {
        /// Most events per message: `1` publishes single-event messages, more publishes batch
        /// messages (`{"schema":1,"events":[…]}`) of up to this many events. A batch is also split
        /// so that no message exceeds the wire format's 1 MiB. Range `1...1000`. Defaults to `100`.
        public let eventsPerMessage: Int
        /// The exchange events are published to, 1…255 bytes. Defaults to `"hindsight.events"`.
        public let exchange: String
        /// Longest wait for the broker's confirmation of one publish (or of one replay round).
        /// Past it the broker counts as unavailable: the messages are spooled (or
        /// ``EventPublisherError/Code/brokerUnavailable`` is thrown), although the broker may still
        /// take them, so they may arrive twice (storage deduplicates by `event_id`). A broker that
        /// blocks publishers (memory or disk alarm) is caught this way. Range 100 ms … 10 min.
        /// Defaults to 10 s.
        public let confirmTimeout: Duration
        /// With a connection the publisher opens itself: the wait after a failed connection
        /// attempt before the next one (publishes in between go straight to the spool); it
        /// doubles after every further failure up to ``maxReconnectDelay``. Range 10 ms … 10 min.
        /// Defaults to 1 s.
        public let reconnectDelay: Duration
        /// Upper bound of the growing ``reconnectDelay``. Range ``reconnectDelay`` … 10 min.
        /// Defaults to 30 s.
        public let maxReconnectDelay: Duration
        /// Where messages wait while the broker is unavailable; `nil` disables spooling (the
        /// publish throws instead). Defaults to `nil`.
        public let spool: SpoolConfiguration?

        /// The defaults: 100 events per message to `hindsight.events`, 10 s confirm timeout,
        /// reconnect delay 1 s growing to 30 s, no spool.
        public static let `default` = Configuration(
            checkedEventsPerMessage: 100, exchange: WireContract.eventsExchange, confirmTimeout: .seconds(10),
            reconnectDelay: .seconds(1), maxReconnectDelay: .seconds(30), spool: nil)

        /// Creates a configuration; every parameter restates its default.
        ///
        /// - Parameters:
        ///   - eventsPerMessage: Most events per message, `1...1000`. Defaults to `100`.
        ///   - exchange: The exchange, 1…255 bytes. Defaults to `"hindsight.events"`.
        ///   - confirmTimeout: Longest wait for a confirmation, 100 ms … 10 min. Defaults to 10 s.
        ///   - reconnectDelay: First wait after a failed connection attempt, 10 ms … 10 min.
        ///     Defaults to 1 s.
        ///   - maxReconnectDelay: Longest wait between connection attempts,
        ///     `reconnectDelay` … 10 min. Defaults to 30 s.
        ///   - spool: The spool, or `nil` for none. Defaults to `nil`.
        /// - Throws: ``EventPublisherError`` with ``EventPublisherError/Code/invalidConfiguration``
        ///   naming the first value out of range.
        public init(
            eventsPerMessage: Int = 100,
            exchange: String = WireContract.eventsExchange,
            confirmTimeout: Duration = .seconds(10),
            reconnectDelay: Duration = .seconds(1),
            maxReconnectDelay: Duration = .seconds(30),
            spool: SpoolConfiguration? = nil
        ) throws(EventPublisherError) {
            try Self.require(1...1000 ~= eventsPerMessage, "eventsPerMessage must be in 1...1000 (got \(eventsPerMessage))")
            try Self.require(1...255 ~= exchange.utf8.count, "exchange must be 1...255 UTF-8 bytes")
            try Self.require(
                confirmTimeout >= .milliseconds(100) && confirmTimeout <= .seconds(600),
                "confirmTimeout must be in 100 ms ... 10 min (got \(confirmTimeout))")
            try Self.require(
                reconnectDelay >= .milliseconds(10) && reconnectDelay <= .seconds(600),
                "reconnectDelay must be in 10 ms ... 10 min (got \(reconnectDelay))")
            try Self.require(
                maxReconnectDelay >= reconnectDelay && maxReconnectDelay <= .seconds(600),
                "maxReconnectDelay must be in reconnectDelay ... 10 min (got \(maxReconnectDelay))")
            self.init(
                checkedEventsPerMessage: eventsPerMessage, exchange: exchange, confirmTimeout: confirmTimeout,
                reconnectDelay: reconnectDelay, maxReconnectDelay: maxReconnectDelay, spool: spool)
        }

        private init(
            checkedEventsPerMessage: Int, exchange: String, confirmTimeout: Duration, reconnectDelay: Duration,
            maxReconnectDelay: Duration, spool: SpoolConfiguration?
        ) {
            self.eventsPerMessage = checkedEventsPerMessage
            self.exchange = exchange
            self.confirmTimeout = confirmTimeout
            self.reconnectDelay = reconnectDelay
            self.maxReconnectDelay = maxReconnectDelay
            self.spool = spool
        }

        static func require(_ condition: Bool, _ message: @autoclosure () -> String) throws(EventPublisherError) {
            guard condition else { throw EventPublisherError(.invalidConfiguration, message()) }
        }
    }

    /// The local file where messages wait while the broker is unavailable, and its limits.
    ///
    /// The spool is a JSONL file: one message body per line, appended and `fsync`ed before the
    /// publish returns. While it is replayed it is renamed to `<path>.replaying`; entries that can no
    /// longer be read are moved to `<path>.rejected` (never deleted). One publisher per path: two
    /// processes must not share a spool.
    ///
    /// Past ``maxBytes`` or ``maxMessages`` (counting the file and the part being replayed) a
    /// publish that needs the spool throws ``EventPublisherError/Code/spoolFull`` and writes nothing;
    /// what is already spooled is kept. The rejected file does not count toward the limits.
    ///
    /// ```swift
    /// let spool = try EventPublisher.SpoolConfiguration(
    ///     path: "/var/lib/my-agent/hindsight.spool", maxBytes: 64 << 20, maxMessages: 100_000)
    /// ```
    public struct SpoolConfiguration: Sendable {
        /// The spool file; `<path>.replaying` and `<path>.rejected` sit next to it. Its folder is
        /// created when missing.
        public let path: String
        /// Most bytes in the spool (file plus the part being replayed). Range `1...(1 << 40)`.
        /// Defaults to `67_108_864` (64 MiB).
        public let maxBytes: Int
        /// Most messages in the spool. Range `1...10_000_000`. Defaults to `100_000`.
        public let maxMessages: Int
        /// Messages published per confirmation round while the spool is replayed; after a failed
        /// round only the unconfirmed rounds stay spooled. Range `1...10_000`. Defaults to `500`.
        public let replayBatchSize: Int

        /// Creates a spool configuration.
        ///
        /// - Parameters:
        ///   - path: The spool file (not empty).
        ///   - maxBytes: Most bytes spooled, `1...(1 << 40)`. Defaults to 64 MiB.
        ///   - maxMessages: Most messages spooled, `1...10_000_000`. Defaults to `100_000`.
        ///   - replayBatchSize: Messages per confirmation round on replay, `1...10_000`.
        ///     Defaults to `500`.
        /// - Throws: ``EventPublisherError`` with ``EventPublisherError/Code/invalidConfiguration``.
        public init(
            path: String, maxBytes: Int = 67_108_864, maxMessages: Int = 100_000, replayBatchSize: Int = 500
        ) throws(EventPublisherError) {
            try Configuration.require(!path.isEmpty && !path.hasSuffix("/"), "spool path must name a file")
            try Configuration.require(1...(1 << 40) ~= maxBytes, "spool maxBytes must be in 1...2^40 (got \(maxBytes))")
            try Configuration.require(
                1...10_000_000 ~= maxMessages, "spool maxMessages must be in 1...10000000 (got \(maxMessages))")
            try Configuration.require(
                1...10_000 ~= replayBatchSize, "spool replayBatchSize must be in 1...10000 (got \(replayBatchSize))")
            self.path = path
            self.maxBytes = maxBytes
            self.maxMessages = maxMessages
            self.replayBatchSize = replayBatchSize
        }

        /// Where entries being replayed are kept until confirmed.
        var replayingPath: String { path + ".replaying" }
        /// Where unreadable entries are kept aside.
        var rejectedPath: String { path + ".rejected" }
    }
}

extension TrackerService {
    /// How a tracker consumes and batches.
    public struct Configuration: Sendable, CustomStringConvertible {
        /// The queue to consume. Defaults to `"hindsight.tracker"`.
        public var queue: String = Topology.trackerQueue
        /// Unacknowledged deliveries the broker may send ahead (per-consumer prefetch). Defaults to `8000`:
        /// room for the batches being committed plus the next one filling.
        public var prefetch: Int = 8000
        /// Most bytes of received message bodies waiting to be decoded; beyond them the consumer
        /// connection stops reading until the tracker catches up. The prefetch window bounds messages,
        /// not bytes: with 100-event messages it alone let the tracker grow to 177 MiB. Defaults to `4 MiB`.
        public var bufferBytes: Int = 4 << 20
        /// Largest number of messages in one database transaction. Defaults to `2000`.
        public var batchMessages: Int = 2000
        /// Largest number of events in one database transaction. Defaults to `5000`.
        public var batchEvents: Int = 5000
        /// Largest total body size of one batch, in bytes. Defaults to `8 MiB`.
        public var batchBytes: Int = 8 << 20
        /// Longest time the first message of a batch waits for others. Defaults to `50 ms` (at a steady
        /// load, larger batches cost less per event: measured lower lag than with 5 ms).
        public var batchDelay: Duration = .milliseconds(50)
        /// Batches committed at once, each on its own database connection (acknowledged in order).
        /// Defaults to `2`: one batch's transaction runs while the next one is sent.
        public var commitConcurrency: Int = 2
        /// First back-off after a failed commit; doubles up to ``maxBackoff``. Defaults to `100 ms`.
        public var initialBackoff: Duration = .milliseconds(100)
        /// Longest back-off between commit attempts while PostgreSQL is unavailable. Defaults to `5 s`.
        public var maxBackoff: Duration = .seconds(5)
        /// Longest wait for one batch transaction before it is retried. Defaults to `30 s`.
        public var writeTimeout: Duration = .seconds(30)
        /// Timed-out writes in a row after which the tracker exits (to be restarted). Defaults to `3`.
        public var maxStalledWrites: Int = 3
        /// Whether to declare the exchange, queues and bindings at start. Defaults to `true`.
        public var declareTopology: Bool = true

        public init() {}

        public var description: String {
            "queue=\(queue) prefetch=\(prefetch) buffer_bytes=\(bufferBytes) batch_messages=\(batchMessages) batch_events=\(batchEvents) "
                + "batch_bytes=\(batchBytes) batch_delay=\(batchDelay) commit_concurrency=\(commitConcurrency) max_backoff=\(maxBackoff) write_timeout=\(writeTimeout)"
        }
    }
}

extension TrackerService.Configuration {
    /// Reads the tracker settings through the one configuration reader (``EnvironmentReader``); an unset
    /// variable keeps the default, a set but invalid one throws.
    ///
    /// | key | variable | type | default |
    /// |---|---|---|---|
    /// | `tracker.queue` | `HINDSIGHT_TRACKER_QUEUE` | string | `hindsight.tracker` |
    /// | `tracker.prefetch` | `HINDSIGHT_TRACKER_PREFETCH` | 1…65535 | 8000 |
    /// | `tracker.bufferBytes` | `HINDSIGHT_TRACKER_BUFFER_BYTES` | 64 KiB…1 GiB | 4194304 |
    /// | `tracker.batchMessages` | `HINDSIGHT_TRACKER_BATCH_MESSAGES` | 1…100000 | 2000 |
    /// | `tracker.batchEvents` | `HINDSIGHT_TRACKER_BATCH_EVENTS` | 1…100000 | 5000 |
    /// | `tracker.batchBytes` | `HINDSIGHT_TRACKER_BATCH_BYTES` | 1 KiB…256 MiB | 8388608 |
    /// | `tracker.batchDelayMs` | `HINDSIGHT_TRACKER_BATCH_DELAY_MS` | 0…60000 | 50 |
    /// | `tracker.commitConcurrency` | `HINDSIGHT_TRACKER_COMMIT_CONCURRENCY` | 1…8 | 2 |
    /// | `tracker.maxBackoffMs` | `HINDSIGHT_TRACKER_MAX_BACKOFF_MS` | 10…600000 | 5000 |
    /// | `tracker.writeTimeoutMs` | `HINDSIGHT_TRACKER_WRITE_TIMEOUT_MS` | 100…600000 | 30000 |
    /// | `tracker.maxStalledWrites` | `HINDSIGHT_TRACKER_MAX_STALLED_WRITES` | 1…1000 | 3 |
    /// | `tracker.declareTopology` | `HINDSIGHT_TRACKER_DECLARE_TOPOLOGY` | bool | true |
    ///
    /// - Throws: ``ConfigurationError`` naming the first invalid variable and its value.
    package init(environment: EnvironmentReader) throws(ConfigurationError) {
        self.init()
        if let value = environment.string("tracker.queue") { queue = value }
        if let value = try environment.int("tracker.prefetch", in: 1...65535) { prefetch = value }
        if let value = try environment.int("tracker.bufferBytes", in: (64 << 10)...(1 << 30)) { bufferBytes = value }
        if let value = try environment.int("tracker.batchMessages", in: 1...100_000) { batchMessages = value }
        if let value = try environment.int("tracker.batchEvents", in: 1...100_000) { batchEvents = value }
        if let value = try environment.int("tracker.batchBytes", in: 1024...(256 << 20)) { batchBytes = value }
        if let value = try environment.milliseconds("tracker.batchDelayMs", in: 0...60_000) { batchDelay = value }
        if let value = try environment.int("tracker.commitConcurrency", in: 1...8) { commitConcurrency = value }
        if let value = try environment.milliseconds("tracker.maxBackoffMs", in: 10...600_000) { maxBackoff = value }
        if let value = try environment.milliseconds("tracker.writeTimeoutMs", in: 100...600_000) { writeTimeout = value }
        if let value = try environment.int("tracker.maxStalledWrites", in: 1...1000) { maxStalledWrites = value }
        if let value = try environment.bool("tracker.declareTopology") { declareTopology = value }
    }
}

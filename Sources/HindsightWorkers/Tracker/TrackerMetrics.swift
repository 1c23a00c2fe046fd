import Metrics

/// The tracker's Prometheus metrics (recorded through swift-metrics).
public struct TrackerMetrics: Sendable {
    /// Messages received from the broker.
    let messagesConsumed = Counter(label: "hindsight_tracker_messages_consumed_total")
    /// Events decoded from those messages.
    let eventsConsumed = Counter(label: "hindsight_tracker_events_consumed_total")
    /// Events stored for the first time.
    let eventsStored = Counter(label: "hindsight_tracker_events_stored_total")
    /// Events that were already stored (redeliveries, duplicates).
    let eventsDuplicate = Counter(label: "hindsight_tracker_events_duplicate_total")
    /// Batches committed.
    let batchesCommitted = Counter(label: "hindsight_tracker_batches_committed_total")
    /// Commit attempts that failed and were retried.
    let commitRetries = Counter(label: "hindsight_tracker_commit_retries_total")
    /// Messages per batch.
    let batchMessages = Recorder(label: "hindsight_tracker_batch_messages", aggregate: true)
    /// Time of one batch transaction.
    let commitLatency = Metrics.Timer(label: "hindsight_tracker_commit_seconds")
    /// Time from an event's timestamp to its commit (publish → commit lag as the agent stamped it).
    let ingestLag = Metrics.Timer(label: "hindsight_tracker_ingest_lag_seconds")
    /// Messages ready in the tracker queue (sampled every few seconds with a passive declare).
    let queueDepth = Gauge(label: "hindsight_tracker_queue_depth_messages")
    /// Deliveries received and not yet acknowledged.
    let inFlight = Gauge(label: "hindsight_tracker_in_flight_messages")

    public init() {}

    /// Messages dead-lettered, by reason code.
    func deadLettered(reason: String) -> Counter {
        Counter(label: "hindsight_tracker_dead_lettered_total", dimensions: [("reason", reason)])
    }
}

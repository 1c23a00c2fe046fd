public import Metrics

/// The adapter's Prometheus metrics (recorded through swift-metrics).
public struct AdapterMetrics: Sendable {
    /// Replies sent, by method (`plan.optimize`, …, `unknown`) and outcome (`ok` or an error code).
    func requests(method: String, outcome: String) -> Counter {
        Counter(label: "hindsight_adapter_requests_total", dimensions: [("method", method), ("outcome", outcome)], factory: factory)
    }

    /// Time from delivery to reply published, by method.
    func latency(method: String) -> Metrics.Timer {
        Metrics.Timer(label: "hindsight_adapter_request_seconds", dimensions: [("method", method)], factory: factory)
    }

    /// Requests dropped without a reply, by reason (`expired`: the caller's deadline had passed;
    /// `no_reply_to`: nowhere to answer).
    func dropped(reason: String) -> Counter {
        Counter(label: "hindsight_adapter_dropped_total", dimensions: [("reason", reason)], factory: factory)
    }

    /// Replies that could not be published (connection lost; the request is redelivered).
    let replyFailures: Counter
    /// Seconds since the last successful full load of the insights.
    let cacheAge: Gauge
    /// Domains in the cache.
    let cachedDomains: Gauge
    /// Cache loads that failed (PostgreSQL unavailable, …), by kind (`full`, `domain`).
    func refreshFailures(kind: String) -> Counter {
        Counter(label: "hindsight_adapter_refresh_failures_total", dimensions: [("kind", kind)], factory: factory)
    }
    /// Requests in progress.
    let inFlight: Gauge
    private let factory: any MetricsFactory

    /// Metrics recorded through `factory`; by default the process's (`MetricsSystem.bootstrap`). Tests pass
    /// their own, so they can read a metric without bootstrapping the process-wide system.
    public init(factory: any MetricsFactory = MetricsSystem.factory) {
        self.factory = factory
        replyFailures = Counter(label: "hindsight_adapter_reply_failures_total", factory: factory)
        cacheAge = Gauge(label: "hindsight_adapter_cache_age_seconds", factory: factory)
        cachedDomains = Gauge(label: "hindsight_adapter_cached_domains", factory: factory)
        inFlight = Gauge(label: "hindsight_adapter_in_flight", factory: factory)
    }
}

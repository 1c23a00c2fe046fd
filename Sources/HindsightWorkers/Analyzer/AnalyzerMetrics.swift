import Metrics

/// The analyzer's Prometheus metrics (recorded through swift-metrics).
public struct AnalyzerMetrics: Sendable {
    /// Rounds completed (with or without due domains).
    let rounds = Counter(label: "hindsight_analyzer_rounds_total")
    /// Rounds that failed (PostgreSQL unavailable, …) and are retried at the next interval.
    let roundFailures = Counter(label: "hindsight_analyzer_round_failures_total")
    /// Domains analysed and committed.
    let domainsAnalyzed = Counter(label: "hindsight_analyzer_domains_analyzed_total")
    /// Domains whose analysis failed for a reason retrying cannot fix (skipped for the rest of the round).
    let domainFailures = Counter(label: "hindsight_analyzer_domain_failures_total")
    /// Executions read for analysis.
    let executionsRead = Counter(label: "hindsight_analyzer_executions_read_total")
    /// Change-log rows folded into the analysis state.
    let changesFolded = Counter(label: "hindsight_analyzer_changes_folded_total")
    /// Executions marked abandoned.
    let executionsAbandoned = Counter(label: "hindsight_analyzer_executions_abandoned_total")
    /// Time of one round (fold and every domain analysed).
    let roundDuration = Metrics.Timer(label: "hindsight_analyzer_round_seconds")
    /// Time of one domain's transaction (claim to commit).
    let domainDuration = Metrics.Timer(label: "hindsight_analyzer_domain_seconds")

    public init() {}
}

/// Totals and averages over many executions' metrics (the seed's `aggregate_metrics`).
public struct MetricsAggregate: Hashable, Codable, Sendable {
    /// Executions aggregated.
    public var count: Int
    /// Mean total duration in seconds.
    public var averageDuration: Double
    /// Mean per-execution success rate.
    public var averageSuccessRate: Double
    /// Sum of error counts.
    public var totalErrors: Int
    /// Duration percentiles `p50`, `p95`, `p99` (empty when there is nothing to aggregate).
    public var durationPercentiles: [String: Double]
    /// Calls per tool, summed.
    public var toolUsage: [String: Int]
    /// Sum of language-model calls.
    public var totalAPICalls: Int
    /// Sum of estimated tokens.
    public var totalTokens: Int

    /// Aggregates `metrics`.
    public init(_ metrics: [ExecutionMetrics]) {
        count = metrics.count
        var durations: [Double] = []
        durations.reserveCapacity(metrics.count)
        var successSum = 0.0
        totalErrors = 0
        toolUsage = [:]
        totalAPICalls = 0
        totalTokens = 0
        for m in metrics {
            durations.append(m.totalDurationSeconds)
            successSum += m.successRate
            totalErrors += m.errorCount
            totalAPICalls += m.apiCalls
            totalTokens += m.tokensUsed
            for (tool, calls) in m.toolUsage { toolUsage[tool, default: 0] += calls }
        }
        averageDuration = count > 0 ? durations.reduce(0, +) / Double(count) : 0
        averageSuccessRate = count > 0 ? successSum / Double(count) : 0
        if count > 0 {
            let sorted = durations.sorted()
            durationPercentiles = [
                "p50": Percentile.continuous(0.50, sorted: sorted)!,
                "p95": Percentile.continuous(0.95, sorted: sorted)!,
                "p99": Percentile.continuous(0.99, sorted: sorted)!,
            ]
        } else {
            durationPercentiles = [:]
        }
    }
}

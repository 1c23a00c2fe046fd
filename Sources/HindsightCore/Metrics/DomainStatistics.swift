/// Execution counts and success for one domain (the seed database's `get_domain_statistics`,
/// computed from traces; the storage layer computes the same in SQL).
public struct DomainStatistics: Hashable, Codable, Sendable {
    /// The domain.
    public var domain: String
    /// Executions of the domain.
    public var totalExecutions: Int
    /// Mean duration of the executions that have one (`0` when none has).
    public var averageDurationSeconds: Double
    /// Executions with status completed (`0`, not the seed's `None`, when there are none).
    public var completedCount: Int
    /// `completedCount / totalExecutions`, `0` when there are none. `recovered` does not count.
    public var successRate: Double

    /// Statistics of the traces of `domain` in `traces` that started at or after `since` (all when `nil`).
    public init(domain: String, traces: [ExecutionTrace], since: Timestamp? = nil) {
        self.domain = domain
        var total = 0, completed = 0, timed = 0
        var durationSum = 0.0
        for trace in traces where trace.domain == domain && (since.map { trace.startTime >= $0 } ?? true) {
            total += 1
            if trace.status == .completed { completed += 1 }
            if let duration = trace.durationSeconds {
                timed += 1
                durationSum += duration
            }
        }
        totalExecutions = total
        completedCount = completed
        averageDurationSeconds = timed > 0 ? durationSum / Double(timed) : 0
        successRate = total > 0 ? Double(completed) / Double(total) : 0
    }
}

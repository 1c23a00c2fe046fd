public import Foundation

/// The measurements of one execution, computed by ``MetricsCollector``.
public struct ExecutionMetrics: Hashable, Codable, Sendable {
    /// The execution measured.
    public var executionID: UUID
    /// Seconds from start to end (`0` while running).
    public var totalDurationSeconds: Double
    /// Per-phase metrics in plan order (or in the order phases started when there is no plan).
    public var phaseMetrics: [PhaseMetrics]
    /// Share of phases that succeeded, or `1`/`0` from the status when no phase was measured.
    public var successRate: Double
    /// Number of `error` events.
    public var errorCount: Int
    /// Calls per tool name.
    public var toolUsage: [String: Int]
    /// Calls to language-model tools (`claude`, `llm`).
    public var apiCalls: Int
    /// Estimated tokens: 1000 per language-model call, as in the seed.
    public var tokensUsed: Int

    /// Creates validated metrics.
    ///
    /// - Throws: ``ModelError/successRateOutOfRange(_:)`` or ``ModelError/negativeErrorCount``.
    public init(
        executionID: UUID,
        totalDurationSeconds: Double,
        phaseMetrics: [PhaseMetrics],
        successRate: Double,
        errorCount: Int,
        toolUsage: [String: Int] = [:],
        apiCalls: Int = 0,
        tokensUsed: Int = 0
    ) throws(ModelError) {
        try ModelError.checkUnit(successRate, ModelError.successRateOutOfRange)
        guard errorCount >= 0 else { throw .negativeErrorCount }
        self.executionID = executionID
        self.totalDurationSeconds = totalDurationSeconds
        self.phaseMetrics = phaseMetrics
        self.successRate = successRate
        self.errorCount = errorCount
        self.toolUsage = toolUsage
        self.apiCalls = apiCalls
        self.tokensUsed = tokensUsed
    }

    /// The metrics of the phase named `name`, if measured.
    public subscript(phase name: String) -> PhaseMetrics? { phaseMetrics.first { $0.phaseName == name } }

    /// Mean accuracy ratio over the phases, or `1` when no phase was measured.
    public var averageAccuracyRatio: Double {
        guard !phaseMetrics.isEmpty else { return 1.0 }
        return phaseMetrics.reduce(0) { $0 + $1.accuracyRatio } / Double(phaseMetrics.count)
    }

    /// Total retries over all phases.
    public var retryCount: Int { phaseMetrics.reduce(0) { $0 + $1.retryCount } }

    private enum CodingKeys: String, CodingKey {
        case executionID, totalDurationSeconds, phaseMetrics, successRate, errorCount, toolUsage, apiCalls, tokensUsed
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(
            executionID: c.decode(UUID.self, forKey: .executionID),
            totalDurationSeconds: c.decode(Double.self, forKey: .totalDurationSeconds),
            phaseMetrics: c.decodeIfPresent([PhaseMetrics].self, forKey: .phaseMetrics) ?? [],
            successRate: c.decode(Double.self, forKey: .successRate),
            errorCount: c.decode(Int.self, forKey: .errorCount),
            toolUsage: c.decodeIfPresent([String: Int].self, forKey: .toolUsage) ?? [:],
            apiCalls: c.decodeIfPresent(Int.self, forKey: .apiCalls) ?? 0,
            tokensUsed: c.decodeIfPresent(Int.self, forKey: .tokensUsed) ?? 0
        )
    }
}

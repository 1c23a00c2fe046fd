/// What the analyzer learned about one domain.
public struct PerformanceInsights: Hashable, Codable, Sendable {
    /// Sample size from which ``hasSufficientData`` is `true`.
    public static let sufficientSampleSize = 10

    /// The domain analysed.
    public var goalDomain: String
    /// Executions analysed.
    public var sampleSize: Int
    /// Human-readable findings.
    public var insights: [String]
    /// Human-readable advice.
    public var recommendations: [String]
    /// Trust in the findings, `0...1`, from the sample size.
    public var confidenceScore: Double
    /// Slow phases, slowest first (at most five).
    public var slowPhases: [SlowPhase]
    /// The most common error patterns, most common first (at most five).
    public var commonErrors: [ErrorPattern]
    /// The phase order learned from successful, fast executions.
    public var optimalPhaseOrder: [String]
    /// Share of executions with status completed, when computed by the analyzer.
    public var successRate: Double?
    /// Per-phase distributions, sorted by phase name.
    public var phaseStatistics: [PhaseStatistics]

    /// Creates validated insights.
    ///
    /// - Throws: ``ModelError/negativeSampleSize`` or ``ModelError/confidenceOutOfRange(_:)``.
    public init(
        goalDomain: String,
        sampleSize: Int,
        insights: [String],
        recommendations: [String],
        confidenceScore: Double,
        slowPhases: [SlowPhase],
        commonErrors: [ErrorPattern],
        optimalPhaseOrder: [String],
        successRate: Double? = nil,
        phaseStatistics: [PhaseStatistics] = []
    ) throws(ModelError) {
        guard sampleSize >= 0 else { throw .negativeSampleSize }
        try ModelError.checkUnit(confidenceScore, ModelError.confidenceOutOfRange)
        if let successRate { try ModelError.checkUnit(successRate, ModelError.successRateOutOfRange) }
        self.goalDomain = goalDomain
        self.sampleSize = sampleSize
        self.insights = insights
        self.recommendations = recommendations
        self.confidenceScore = confidenceScore
        self.slowPhases = slowPhases
        self.commonErrors = commonErrors
        self.optimalPhaseOrder = optimalPhaseOrder
        self.successRate = successRate
        self.phaseStatistics = phaseStatistics
    }

    /// `true` when at least ten executions were analysed.
    public var hasSufficientData: Bool { sampleSize >= Self.sufficientSampleSize }

    /// The statistics of the phase named `name`, if any.
    public func statistics(forPhase name: String) -> PhaseStatistics? {
        phaseStatistics.first { $0.phaseName == name }
    }

    private enum CodingKeys: String, CodingKey {
        case goalDomain, sampleSize, insights, recommendations, confidenceScore, slowPhases, commonErrors
        case optimalPhaseOrder, successRate, phaseStatistics
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(
            goalDomain: c.decode(String.self, forKey: .goalDomain),
            sampleSize: c.decode(Int.self, forKey: .sampleSize),
            insights: c.decodeIfPresent([String].self, forKey: .insights) ?? [],
            recommendations: c.decodeIfPresent([String].self, forKey: .recommendations) ?? [],
            confidenceScore: c.decode(Double.self, forKey: .confidenceScore),
            slowPhases: c.decodeIfPresent([SlowPhase].self, forKey: .slowPhases) ?? [],
            commonErrors: c.decodeIfPresent([ErrorPattern].self, forKey: .commonErrors) ?? [],
            optimalPhaseOrder: c.decodeIfPresent([String].self, forKey: .optimalPhaseOrder) ?? [],
            successRate: c.decodeIfPresent(Double.self, forKey: .successRate),
            phaseStatistics: c.decodeIfPresent([PhaseStatistics].self, forKey: .phaseStatistics) ?? []
        )
    }
}

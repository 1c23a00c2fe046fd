/// The result of ``PlanOptimizer/optimize(_:for:history:)``.
public struct PlanOptimization: Hashable, Codable, Sendable {
    /// The optimized plan (the input plan when nothing was optimized; the input is never mutated).
    public var plan: ExecutionPlan
    /// Whether the plan was optimized.
    public var optimized: Bool
    /// Why not, or what was done.
    public var reason: String
    /// Confidence from the number of similar executions.
    public var confidence: Double
    /// Similar executions used.
    public var similarCount: Int
    /// Advice distilled from the most successful similar executions.
    public var bestPractices: [String]
    /// Expected improvement in percent.
    public var expectedImprovement: Double
}

/// Advice for a goal from similar past executions (``PlanOptimizer/recommendations(for:history:)``).
public struct PlanRecommendations: Hashable, Codable, Sendable {
    /// The goal's domain.
    public var domain: String
    /// Similar executions used.
    public var similarExecutions: Int
    /// Confidence from their number.
    public var confidence: Double
    /// Advice distilled from them.
    public var bestPractices: [String]
    /// The analyzer's insights.
    public var insights: [String]
    /// The analyzer's recommendations.
    public var recommendations: [String]
}

/// Two plans scored against similar past executions (``PlanOptimizer/compare(_:_:for:history:)``).
public struct PlanComparison: Hashable, Codable, Sendable {
    /// Whether there was history to compare against.
    public var compared: Bool
    /// Why not, when not compared.
    public var reason: String?
    /// Score of plan A, `0...100`.
    public var planAScore: Double
    /// Score of plan B, `0...100`.
    public var planBScore: Double
    /// The better plan; A on a tie (the incumbent stays).
    public var recommended: ABTest.Variant
    /// `min(similar executions / 20, 1)`.
    public var confidence: Double
}

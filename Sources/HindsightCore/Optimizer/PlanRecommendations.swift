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

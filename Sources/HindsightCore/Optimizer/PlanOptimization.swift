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

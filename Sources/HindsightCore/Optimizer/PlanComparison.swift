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

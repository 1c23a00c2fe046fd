import Foundation

/// Improves a plan from similar past executions: best practices, duration estimates, risks, parallel
/// groups, plan scoring and comparison.
///
/// The candidate history is an input (the storage layer fetches it); nothing here does I/O.
public struct PlanOptimizer: Sendable {
    /// The analyzer used on similar executions (minimum sample size 10).
    public var analyzer = PerformanceAnalyzer()
    /// Similarity a past execution must exceed to count as similar. Defaults to `0.3`.
    public var similarityThreshold = 0.3
    /// The most similar executions used. Defaults to `20`.
    public var candidateLimit = 20
    /// Similar executions needed before the plan is changed. Defaults to `10`.
    public var minimumSampleSize = 10

    /// Creates an optimizer.
    public init() {}

    /// The executions of `history` whose similarity to `goal` exceeds ``similarityThreshold``, most similar
    /// first (ties: newer first, then by execution id), at most ``candidateLimit``. All statuses are kept so
    /// success rates stay honest; best practices come from the completed ones.
    public func similarExecutions(to goal: GoalDefinition, in history: [ExecutionTrace]) -> [ExecutionTrace] {
        history.map { (trace: $0, score: GoalKeywords.similarity(of: goal, to: $0)) }
            .filter { $0.score > similarityThreshold }
            .sorted { a, b in
                if a.score != b.score { return a.score > b.score }
                if a.trace.startTime != b.trace.startTime { return a.trace.startTime > b.trace.startTime }
                return a.trace.executionID.uuidString < b.trace.executionID.uuidString
            }
            .prefix(candidateLimit)
            .map(\.trace)
    }

    /// Optimizes `plan` for `goal` from `history`. The input plan is never mutated.
    public func optimize(_ plan: ExecutionPlan, for goal: GoalDefinition, history: [ExecutionTrace]) -> PlanOptimization {
        let similar = similarExecutions(to: goal, in: history)
        guard !similar.isEmpty else {
            return PlanOptimization(
                plan: plan, optimized: false, reason: "No similar historical executions found",
                confidence: 0, similarCount: 0, bestPractices: [], expectedImprovement: 0)
        }
        let insights = analyzer.analyzeAll(similar, label: goal.domain)
        guard insights.sampleSize >= minimumSampleSize else {
            return PlanOptimization(
                plan: plan, optimized: false, reason: "Insufficient data (\(insights.sampleSize) executions)",
                confidence: insights.confidenceScore, similarCount: similar.count, bestPractices: [], expectedImprovement: 0)
        }
        let practices = Self.bestPractices(from: similar, insights: insights)
        var optimized = plan
        var durations = PlanAdaptation(phases: plan.phases, insights: insights, engine: AdaptationEngine())
        durations.adjustDurations()
        optimized.phases = durations.phases
        for error in insights.commonErrors {
            let risk = "Common error pattern: " + String(error.pattern.prefix(50))
            if !optimized.riskFactors.contains(risk) { optimized.riskFactors.append(risk) }
        }
        let groups = AdaptationEngine.parallelOpportunities(in: optimized.phases)
        if !groups.isEmpty { optimized.parallelOpportunities = groups }
        optimized.totalEstimatedDuration = AdaptationEngine.totalDuration(of: optimized.phases)
        return PlanOptimization(
            plan: optimized, optimized: true, reason: "Optimized from \(similar.count) similar executions",
            confidence: insights.confidenceScore, similarCount: similar.count, bestPractices: practices,
            expectedImprovement: Self.estimatedImprovement(insights))
    }

    /// Advice for `goal`, or `nil` without similar executions or with fewer than ``minimumSampleSize``.
    public func recommendations(for goal: GoalDefinition, history: [ExecutionTrace]) -> PlanRecommendations? {
        let similar = similarExecutions(to: goal, in: history)
        guard !similar.isEmpty else { return nil }
        let insights = analyzer.analyzeAll(similar, label: goal.domain)
        guard insights.sampleSize >= minimumSampleSize else { return nil }
        return PlanRecommendations(
            domain: goal.domain, similarExecutions: similar.count, confidence: insights.confidenceScore,
            bestPractices: Self.bestPractices(from: similar, insights: insights),
            insights: insights.insights, recommendations: insights.recommendations)
    }

    /// Scores two plans against the similar executions of `goal`; A wins ties.
    public func compare(_ a: ExecutionPlan, _ b: ExecutionPlan, for goal: GoalDefinition, history: [ExecutionTrace]) -> PlanComparison {
        let similar = similarExecutions(to: goal, in: history)
        guard !similar.isEmpty else {
            return PlanComparison(compared: false, reason: "No historical data for comparison",
                                  planAScore: 0, planBScore: 0, recommended: .a, confidence: 0)
        }
        let scoreA = Self.score(a, references: similar), scoreB = Self.score(b, references: similar)
        return PlanComparison(
            compared: true, reason: nil, planAScore: scoreA, planBScore: scoreB,
            recommended: scoreB > scoreA ? .b : .a, confidence: Swift.min(Double(similar.count) / 20, 1))
    }

    /// Expected improvement in percent: 10 × confidence, +5 above 50 executions, +10 above 100, at most 30.
    public static func estimatedImprovement(_ insights: PerformanceInsights) -> Double {
        var value = 10 * insights.confidenceScore
        if insights.sampleSize > 100 { value += 10 } else if insights.sampleSize > 50 { value += 5 }
        return Swift.min(value, 30)
    }
}

public import Foundation

/// A plan changed by the ``AdaptationEngine``, with every change explained.
///
/// The seed subclassed `ExecutionPlan`; the core composes one (``plan``) and links to the original by
/// its goal id instead of a random id.
public struct AdaptedExecutionPlan: Hashable, Codable, Sendable {
    /// The adapted plan (validated like any plan: 1 to 10 uniquely named phases).
    public var plan: ExecutionPlan
    /// The goal id of the plan this one was adapted from.
    public var originalGoalID: UUID
    /// Human-readable descriptions of the adaptations (the seed's list).
    public var adaptations: [String]
    /// Every individual change with reason and confidence.
    public var changes: [PlanChange]
    /// Expected improvement in percent (e.g. `15` means 15 %), capped at 50.
    public var expectedImprovement: Double
    /// Trust in the adaptation as a whole, `0...1`.
    public var confidence: Double
    /// When the adaptation was made, if the caller said.
    public var adaptedAt: Timestamp?

    /// Creates a validated adapted plan.
    ///
    /// - Throws: ``ModelError/confidenceOutOfRange(_:)``.
    public init(
        plan: ExecutionPlan,
        originalGoalID: UUID,
        adaptations: [String],
        changes: [PlanChange] = [],
        expectedImprovement: Double,
        confidence: Double,
        adaptedAt: Timestamp? = nil
    ) throws(ModelError) {
        try ModelError.checkUnit(confidence, ModelError.confidenceOutOfRange)
        self.plan = plan
        self.originalGoalID = originalGoalID
        self.adaptations = adaptations
        self.changes = changes
        self.expectedImprovement = expectedImprovement
        self.confidence = confidence
        self.adaptedAt = adaptedAt
    }

    /// The adapted phases.
    public var phases: [PlanPhase] { plan.phases }

    /// The number of adaptations.
    public var adaptationCount: Int { adaptations.count }

    private enum CodingKeys: String, CodingKey {
        case plan, originalGoalID, adaptations, changes, expectedImprovement, confidence, adaptedAt
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(
            plan: c.decode(ExecutionPlan.self, forKey: .plan),
            originalGoalID: c.decode(UUID.self, forKey: .originalGoalID),
            adaptations: c.decodeIfPresent([String].self, forKey: .adaptations) ?? [],
            changes: c.decodeIfPresent([PlanChange].self, forKey: .changes) ?? [],
            expectedImprovement: c.decodeIfPresent(Double.self, forKey: .expectedImprovement) ?? 0,
            confidence: c.decode(Double.self, forKey: .confidence),
            adaptedAt: c.decodeIfPresent(Timestamp.self, forKey: .adaptedAt)
        )
    }
}

public import Foundation

/// An ordered list of phases that an agent executes for one goal.
///
/// Validated like the seed (1 to 10 phases) and, in addition, phase names must be unique because
/// dependencies, learned orders and recovery learning refer to phases by name.
public struct ExecutionPlan: Hashable, Codable, Sendable {
    /// The most phases a plan may have.
    public static let maximumPhaseCount = 10

    /// The goal this plan serves.
    public var goalID: UUID
    /// The phases, in planned order.
    public var phases: [PlanPhase]
    /// Free-text total estimate.
    public var totalEstimatedDuration: String
    /// Skills the plan needs.
    public var requiredSkills: [String]
    /// Groups of phase names that may run in parallel.
    public var parallelOpportunities: [[String]]
    /// Known risks.
    public var riskFactors: [String]
    /// When the plan was made, if the creator said (the core never reads a clock).
    public var createdAt: Timestamp?

    /// Creates a validated plan.
    ///
    /// - Throws: ``ModelError/noPhases``, ``ModelError/tooManyPhases(count:)`` or
    ///   ``ModelError/duplicatePhaseName(_:)``.
    public init(
        goalID: UUID,
        phases: [PlanPhase],
        totalEstimatedDuration: String,
        requiredSkills: [String] = [],
        parallelOpportunities: [[String]] = [],
        riskFactors: [String] = [],
        createdAt: Timestamp? = nil
    ) throws(ModelError) {
        try Self.validate(phases)
        self.goalID = goalID
        self.phases = phases
        self.totalEstimatedDuration = totalEstimatedDuration
        self.requiredSkills = requiredSkills
        self.parallelOpportunities = parallelOpportunities
        self.riskFactors = riskFactors
        self.createdAt = createdAt
    }

    /// The number of phases.
    public var phaseCount: Int { phases.count }

    /// The phase named `name`, if any.
    public func phase(named name: String) -> PlanPhase? { phases.first { $0.name == name } }

    static func validate(_ phases: [PlanPhase]) throws(ModelError) {
        guard !phases.isEmpty else { throw .noPhases }
        guard phases.count <= maximumPhaseCount else { throw .tooManyPhases(count: phases.count) }
        var seen = Set<String>()
        for phase in phases where !seen.insert(phase.name).inserted {
            throw .duplicatePhaseName(phase.name)
        }
    }

    private enum CodingKeys: String, CodingKey {
        case goalID, phases, totalEstimatedDuration, requiredSkills, parallelOpportunities, riskFactors, createdAt
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(
            goalID: c.decode(UUID.self, forKey: .goalID),
            phases: c.decode([PlanPhase].self, forKey: .phases),
            totalEstimatedDuration: c.decodeIfPresent(String.self, forKey: .totalEstimatedDuration) ?? "",
            requiredSkills: c.decodeIfPresent([String].self, forKey: .requiredSkills) ?? [],
            parallelOpportunities: c.decodeIfPresent([[String]].self, forKey: .parallelOpportunities) ?? [],
            riskFactors: c.decodeIfPresent([String].self, forKey: .riskFactors) ?? [],
            createdAt: c.decodeIfPresent(Timestamp.self, forKey: .createdAt)
        )
    }
}

/// One phase of an ``ExecutionPlan``.
///
/// Validated like the seed: a name and at least one required capability.
public struct PlanPhase: Hashable, Codable, Sendable {
    /// The phase name; unique within a plan.
    public var name: String
    /// What the phase does.
    public var description: String
    /// Capabilities the phase needs (the adaptation engine adds `error_handling`, `retry_logic`).
    public var requiredCapabilities: [String]
    /// Free-text duration estimate such as `"5 minutes"`, parsed by ``DurationParser``.
    public var estimatedDuration: String
    /// Names of phases that must finish before this one starts.
    public var dependencies: [String]
    /// Whether the phase may run in parallel with other independent phases.
    public var parallelSafe: Bool
    /// Checks that tell the phase succeeded (validation checkpoints).
    public var successIndicators: [String]

    /// Creates a validated phase.
    ///
    /// - Throws: ``ModelError/emptyPhaseName`` or ``ModelError/missingCapabilities(phase:)``.
    public init(
        name: String,
        description: String,
        requiredCapabilities: [String],
        estimatedDuration: String,
        dependencies: [String] = [],
        parallelSafe: Bool = true,
        successIndicators: [String] = []
    ) throws(ModelError) {
        guard !name.isBlank else { throw .emptyPhaseName }
        guard !requiredCapabilities.isEmpty else { throw .missingCapabilities(phase: name) }
        self.name = name
        self.description = description
        self.requiredCapabilities = requiredCapabilities
        self.estimatedDuration = estimatedDuration
        self.dependencies = dependencies
        self.parallelSafe = parallelSafe
        self.successIndicators = successIndicators
    }

    /// The estimate in seconds (``DurationParser``), or `nil` when the text holds no number.
    public var estimatedSeconds: Double? { DurationParser.seconds(in: estimatedDuration) }

    private enum CodingKeys: String, CodingKey {
        case name, description, requiredCapabilities, estimatedDuration, dependencies, parallelSafe, successIndicators
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(
            name: c.decode(String.self, forKey: .name),
            description: c.decodeIfPresent(String.self, forKey: .description) ?? "",
            requiredCapabilities: c.decode([String].self, forKey: .requiredCapabilities),
            estimatedDuration: c.decode(String.self, forKey: .estimatedDuration),
            dependencies: c.decodeIfPresent([String].self, forKey: .dependencies) ?? [],
            parallelSafe: c.decodeIfPresent(Bool.self, forKey: .parallelSafe) ?? true,
            successIndicators: c.decodeIfPresent([String].self, forKey: .successIndicators) ?? []
        )
    }
}

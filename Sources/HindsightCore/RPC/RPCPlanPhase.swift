/// One phase of a plan as it travels in requests and results.
///
/// In a request only `name` is required; in a ``PlanOptimizeResult`` the adapter fills
/// `estimated_seconds` and adds the capabilities and checkpoints the adaptation engine chose.
public struct RPCPlanPhase: Hashable, Codable, Sendable {
    /// Phase name, unique within the plan.
    public var name: String
    /// Estimate in seconds; without one the core assumes 60 s.
    public var estimatedSeconds: Double?
    /// What the phase does.
    public var description: String?
    /// Names of phases of the same plan that must finish first.
    public var dependencies: [String]?
    /// Capabilities the phase needs (the adapter adds `error_handling`, `retry_logic`).
    public var requiredCapabilities: [String]?
    /// Validation checkpoints (the adapter adds them where success is low).
    public var successIndicators: [String]?

    /// Creates a phase.
    public init(
        name: String, estimatedSeconds: Double? = nil, description: String? = nil, dependencies: [String]? = nil,
        requiredCapabilities: [String]? = nil, successIndicators: [String]? = nil
    ) {
        self.name = name
        self.estimatedSeconds = estimatedSeconds
        self.description = description
        self.dependencies = dependencies
        self.requiredCapabilities = requiredCapabilities
        self.successIndicators = successIndicators
    }

    private enum CodingKeys: String, CodingKey {
        case name, description, dependencies
        case estimatedSeconds = "estimated_seconds"
        case requiredCapabilities = "required_capabilities"
        case successIndicators = "success_indicators"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.rpcName(.name)
        estimatedSeconds = try c.rpcSeconds(.estimatedSeconds)
        description = try c.decodeIfPresent(String.self, forKey: .description)
        if let description { try RPCValidation.text(description, RPCValidation.path(c.codingPath, CodingKeys.description)) }
        dependencies = try Self.names(c, .dependencies)
        requiredCapabilities = try Self.names(c, .requiredCapabilities)
        successIndicators = try c.decodeIfPresent([String].self, forKey: .successIndicators)
        for (i, text) in (successIndicators ?? []).enumerated() {
            try RPCValidation.text(text, RPCValidation.path(c.codingPath, CodingKeys.successIndicators) + "[\(i)]")
        }
    }

    private static func names(_ c: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys) throws -> [String]? {
        guard let names = try c.decodeIfPresent([String].self, forKey: key) else { return nil }
        guard names.count <= 64 else { throw RPCError.invalid(RPCValidation.path(c.codingPath, key), "more than 64 entries") }
        for (i, name) in names.enumerated() {
            try RPCValidation.name(name, RPCValidation.path(c.codingPath, key) + "[\(i)]")
        }
        return names
    }
}

/// Plan-level checks shared by ``PlanOptimizeRequest`` and ``EstimateRequest``.
enum RPCPlanValidation {
    /// 1 to ``ExecutionPlan/maximumPhaseCount`` uniquely named phases whose dependencies name other phases.
    static func check(_ plan: [RPCPlanPhase], field: String) throws(RPCError) {
        guard !plan.isEmpty else { throw .invalid(field, "needs at least one phase") }
        guard plan.count <= ExecutionPlan.maximumPhaseCount else {
            throw .invalid(field, "at most \(ExecutionPlan.maximumPhaseCount) phases, got \(plan.count)")
        }
        var seen = Set<String>()
        for (i, phase) in plan.enumerated() where !seen.insert(phase.name).inserted {
            throw .invalid("\(field)[\(i)].name", "duplicate phase name '\(phase.name)'")
        }
        for (i, phase) in plan.enumerated() {
            for (j, dependency) in (phase.dependencies ?? []).enumerated()
            where dependency == phase.name || !seen.contains(dependency) {
                throw .invalid("\(field)[\(i)].dependencies[\(j)]", "'\(dependency)' is not another phase of the plan")
            }
        }
    }
}

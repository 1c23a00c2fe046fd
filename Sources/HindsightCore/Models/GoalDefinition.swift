/// What an agent was asked to achieve, in which domain.
///
/// Validated like the seed's `GoalDefinition`: prompt, goal and domain must not be blank.
public struct GoalDefinition: Hashable, Codable, Sendable {
    /// How hard the goal is judged to be.
    public enum Complexity: String, Hashable, Codable, Sendable, CaseIterable {
        /// A simple goal.
        case simple
        /// A moderate goal (the default).
        case moderate
        /// A complex goal.
        case complex
    }

    /// The user's original prompt.
    public var rawPrompt: String
    /// The goal distilled from the prompt.
    public var goal: String
    /// The domain, e.g. `security-analysis`; analysis and learning are grouped by it.
    public var domain: String
    /// Constraints the agent must respect.
    public var constraints: [String]
    /// Criteria that define success.
    public var successCriteria: [String]
    /// Free-form context. The seed allowed any JSON value; the core keeps strings.
    public var context: [String: String]
    /// The judged complexity.
    public var complexity: Complexity

    /// Creates a validated goal.
    ///
    /// - Throws: ``ModelError/emptyRawPrompt``, ``ModelError/emptyGoal`` or ``ModelError/emptyDomain``.
    public init(
        rawPrompt: String,
        goal: String,
        domain: String,
        constraints: [String] = [],
        successCriteria: [String] = [],
        context: [String: String] = [:],
        complexity: Complexity = .moderate
    ) throws(ModelError) {
        guard !rawPrompt.isBlank else { throw .emptyRawPrompt }
        guard !goal.isBlank else { throw .emptyGoal }
        guard !domain.isBlank else { throw .emptyDomain }
        self.rawPrompt = rawPrompt
        self.goal = goal
        self.domain = domain
        self.constraints = constraints
        self.successCriteria = successCriteria
        self.context = context
        self.complexity = complexity
    }

    private enum CodingKeys: String, CodingKey {
        case rawPrompt, goal, domain, constraints, successCriteria, context, complexity
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(
            rawPrompt: c.decode(String.self, forKey: .rawPrompt),
            goal: c.decode(String.self, forKey: .goal),
            domain: c.decode(String.self, forKey: .domain),
            constraints: c.decodeIfPresent([String].self, forKey: .constraints) ?? [],
            successCriteria: c.decodeIfPresent([String].self, forKey: .successCriteria) ?? [],
            context: c.decodeIfPresent([String: String].self, forKey: .context) ?? [:],
            complexity: c.decodeIfPresent(Complexity.self, forKey: .complexity) ?? .moderate
        )
    }
}

/// A normalized error message and how often it occurred.
public struct ErrorPattern: Hashable, Codable, Sendable {
    /// The message with variable parts replaced (see ``ErrorMessageNormalizer``).
    public var pattern: String
    /// Occurrences over all analysed executions.
    public var count: Int
    /// Number of distinct executions in which it occurred.
    public var executionCount: Int
    /// Phases in which it occurred, sorted by name.
    public var phases: [String]
    /// The first raw message seen for this pattern.
    public var example: String

    /// Creates an error pattern.
    public init(pattern: String, count: Int, executionCount: Int? = nil, phases: [String] = [], example: String? = nil) {
        self.pattern = pattern
        self.count = count
        self.executionCount = executionCount ?? count
        self.phases = phases
        self.example = example ?? pattern
    }
}

/// A validation failure raised by the initializers of the learning-core models.
///
/// The cases mirror the `ValueError` messages of the seed system (see `docs/seed-differences.md`);
/// ``description`` reproduces the seed's message text so logs stay comparable.
public enum ModelError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A goal's raw prompt is empty or blank.
    case emptyRawPrompt
    /// A goal's goal text is empty or blank.
    case emptyGoal
    /// A goal's domain is empty or blank.
    case emptyDomain
    /// A plan phase has no name.
    case emptyPhaseName
    /// A plan phase lists no required capabilities.
    case missingCapabilities(phase: String)
    /// Two phases of one plan share a name (names identify phases for dependencies and learning).
    case duplicatePhaseName(String)
    /// A plan has no phases.
    case noPhases
    /// A plan has more than ten phases.
    case tooManyPhases(count: Int)
    /// An event has an empty type.
    case emptyEventType
    /// A trace ends before it starts.
    case endBeforeStart
    /// Phase metrics carry an empty phase name.
    case emptyMetricsPhaseName
    /// A duration is negative.
    case negativeDuration
    /// A success rate lies outside `0...1`.
    case successRateOutOfRange(Double)
    /// An error count is negative.
    case negativeErrorCount
    /// A sample size is negative.
    case negativeSampleSize
    /// A confidence lies outside `0...1`.
    case confidenceOutOfRange(Double)
    /// A recovery cost is negative.
    case negativeCost
    /// A percentile lies outside its accepted range.
    case percentileOutOfRange(Double)
    /// A retry count is negative.
    case negativeRetryCount

    /// The seed system's message for this failure.
    public var description: String {
        switch self {
        case .emptyRawPrompt: "Raw prompt cannot be empty"
        case .emptyGoal: "Goal must be specified"
        case .emptyDomain: "Domain must be specified"
        case .emptyPhaseName: "Phase must have a name"
        case .missingCapabilities(let phase): "Phase \(phase) must specify required capabilities"
        case .duplicatePhaseName(let name): "Phase name '\(name)' is used more than once"
        case .noPhases: "Plan must have at least one phase"
        case .tooManyPhases: "Plan should have 3-5 phases for MVP (max 10)"
        case .emptyEventType: "Event must have a type"
        case .endBeforeStart: "End time cannot be before start time"
        case .emptyMetricsPhaseName: "Phase name required"
        case .negativeDuration: "Duration cannot be negative"
        case .successRateOutOfRange(let x): "Success rate must be 0-1, got \(x)"
        case .negativeErrorCount: "Error count cannot be negative"
        case .negativeSampleSize: "Sample size cannot be negative"
        case .confidenceOutOfRange(let x): "Confidence must be 0-1, got \(x)"
        case .negativeCost: "Cost cannot be negative"
        case .percentileOutOfRange(let p): "Percentile must be 0-100, got \(p)"
        case .negativeRetryCount: "Retry count cannot be negative"
        }
    }

    static func checkUnit(_ value: Double, _ error: (Double) -> ModelError) throws(ModelError) {
        guard value >= 0, value <= 1 else { throw error(value) }
    }
}

extension String {
    /// `true` when the string holds nothing but whitespace.
    var isBlank: Bool { allSatisfy(\.isWhitespace) }
}

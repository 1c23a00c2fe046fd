/// The type of an ``ExecutionEvent``.
///
/// The six kinds the learning core understands are cases so hot loops compare integers, not strings;
/// any other type is kept verbatim in ``custom(_:)``. Encodes as the seed's snake-case string.
public enum EventKind: Hashable, Sendable, Codable, CustomStringConvertible {
    /// A phase started (`phase_start`).
    case phaseStart
    /// A phase ended (`phase_end`), successfully or not.
    case phaseEnd
    /// A tool was called (`tool_call`).
    case toolCall
    /// An error happened (`error`).
    case error
    /// A phase was retried (`retry`).
    case retry
    /// A recovery strategy was attempted (`recovery_attempt`).
    case recoveryAttempt
    /// Any other event type.
    case custom(String)

    /// Maps the seed's string form to a kind.
    public init(rawValue: String) {
        switch rawValue {
        case "phase_start": self = .phaseStart
        case "phase_end": self = .phaseEnd
        case "tool_call": self = .toolCall
        case "error": self = .error
        case "retry": self = .retry
        case "recovery_attempt": self = .recoveryAttempt
        default: self = .custom(rawValue)
        }
    }

    /// The seed's string form (`phase_start`, `tool_call`, …).
    public var rawValue: String {
        switch self {
        case .phaseStart: "phase_start"
        case .phaseEnd: "phase_end"
        case .toolCall: "tool_call"
        case .error: "error"
        case .retry: "retry"
        case .recoveryAttempt: "recovery_attempt"
        case .custom(let value): value
        }
    }

    public var description: String { rawValue }

    public init(from decoder: any Decoder) throws {
        self.init(rawValue: try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

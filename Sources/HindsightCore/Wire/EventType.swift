/// The type of an execution event: an open set of lowercase identifiers.
///
/// Valid raw values match `^[a-z][a-z0-9_.]{0,63}$`. The well-known types below carry per-type
/// payload requirements (see ``EventPayload``); any other valid type is accepted and stored as is.
/// Validity is checked by the decoder, not by ``init(rawValue:)``.
public struct EventType: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible,
    ExpressibleByStringLiteral
{
    /// The identifier, e.g. `"tool_used"`.
    public var rawValue: String

    /// Creates an event type; does not validate (see ``isValid``).
    ///
    /// - Parameter rawValue: The identifier.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// Creates an event type from a literal.
    ///
    /// - Parameter value: The identifier.
    public init(stringLiteral value: String) { self.rawValue = value }

    /// Decodes the type from a single JSON string.
    ///
    /// - Parameter decoder: The decoder.
    /// - Throws: `DecodingError` when the value is not a string.
    public init(from decoder: any Decoder) throws {
        self.rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    /// Encodes the type as a single JSON string.
    ///
    /// - Parameter encoder: The encoder.
    /// - Throws: Whatever the encoder throws.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    /// The identifier.
    public var description: String { rawValue }

    /// Whether ``rawValue`` matches `^[a-z][a-z0-9_.]{0,63}$`.
    public var isValid: Bool {
        let utf8 = rawValue.utf8
        guard let first = utf8.first, first >= 0x61, first <= 0x7A, utf8.count <= 64 else { return false }
        return utf8.allSatisfy { b in
            (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) || b == 0x5F || b == 0x2E
        }
    }

    /// An execution began; payload: `goal`, `agent_id`, `plan`.
    public static let executionStarted = EventType(rawValue: "execution_started")
    /// A phase began (`phase` required); payload: `estimated_duration_s`.
    public static let phaseStarted = EventType(rawValue: "phase_started")
    /// A phase ended (`phase` required); payload: `success` (default `true`), `error`.
    public static let phaseCompleted = EventType(rawValue: "phase_completed")
    /// A tool was called; payload: `tool` and `duration_ms` required.
    public static let toolUsed = EventType(rawValue: "tool_used")
    /// An error occurred; payload: `error_type` and `message` required, `fatal`.
    public static let error = EventType(rawValue: "error")
    /// A recovery was attempted; payload: `strategy` required, `failure_type`, `success`.
    public static let recoveryAttempted = EventType(rawValue: "recovery_attempted")
    /// A retry happened (counted by metrics); no required payload.
    public static let retry = EventType(rawValue: "retry")
    /// An execution ended; payload: `status` required, `result`.
    public static let executionCompleted = EventType(rawValue: "execution_completed")
}

/// Why a message body was rejected by ``WireFormat/decode(_:schemaHeader:limits:now:)``.
///
/// ``reason`` is a stable snake_case code that is used verbatim as the dead-letter header value and in
/// metrics labels; ``detail`` names the offending field path and the rule that failed, and never echoes
/// the message content (payloads may carry secrets).
public struct WireError: Error, Sendable, Equatable, Hashable, CustomStringConvertible {
    /// The stable machine-readable code of a ``WireError``.
    ///
    /// An open set of snake_case strings: new codes may be added in later versions, so switch over it
    /// with a `default` case.
    public struct Reason: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        /// The snake_case code, e.g. `"missing_field"`.
        public var rawValue: String

        /// Creates a reason from its snake_case code.
        ///
        /// - Parameter rawValue: The code, e.g. `"missing_field"`.
        public init(rawValue: String) { self.rawValue = rawValue }

        /// The snake_case code.
        public var description: String { rawValue }

        /// The body is not valid UTF-8 (checked everywhere, including skipped unknown fields).
        public static let invalidUTF8 = Reason(rawValue: "invalid_utf8")
        /// The body is not well-formed JSON (RFC 8259), is empty, nests deeper than
        /// ``WireLimits/maxDepth``, or contains an unpaired surrogate escape.
        public static let invalidJSON = Reason(rawValue: "invalid_json")
        /// The top-level JSON value is not an object.
        public static let notAnObject = Reason(rawValue: "not_an_object")
        /// The `hindsight-schema` header or a `"schema"` member is not `1`.
        public static let unsupportedSchema = Reason(rawValue: "unsupported_schema")
        /// The body is larger than ``WireLimits/maxMessageBytes``.
        public static let oversize = Reason(rawValue: "oversize")
        /// A batch holds more than ``WireLimits/maxEventsPerBatch`` events.
        public static let tooManyEvents = Reason(rawValue: "too_many_events")
        /// A batch holds no events.
        public static let emptyBatch = Reason(rawValue: "empty_batch")
        /// A required member is absent or `null`.
        public static let missingField = Reason(rawValue: "missing_field")
        /// A member has the wrong JSON type (e.g. a string where a number is required).
        public static let wrongType = Reason(rawValue: "wrong_type")
        /// `event_id` or `execution_id` is not a canonical, non-nil UUID.
        public static let invalidUUID = Reason(rawValue: "invalid_uuid")
        /// `ts` is not an RFC 3339 timestamp with a zone and at most 6 fraction digits.
        public static let invalidTimestamp = Reason(rawValue: "invalid_timestamp")
        /// `ts` is before ``WireLimits/minTimestampMicros`` or too far in the future.
        public static let timestampOutOfRange = Reason(rawValue: "timestamp_out_of_range")
        /// `type` does not match `^[a-z][a-z0-9_.]{0,63}$`.
        public static let invalidEventType = Reason(rawValue: "invalid_event_type")
        /// `domain` is empty, longer than 128 UTF-8 bytes, or contains control characters.
        public static let invalidDomain = Reason(rawValue: "invalid_domain")
        /// A string is longer (in UTF-8 bytes) than its limit.
        public static let stringTooLong = Reason(rawValue: "string_too_long")
        /// A value is out of its range or set (negative duration, unknown strategy, U+0000, …).
        public static let invalidValue = Reason(rawValue: "invalid_value")
        /// A known member appears twice in the same object.
        public static let duplicateField = Reason(rawValue: "duplicate_field")
        /// A batch holds two events with the same `event_id` but different content.
        ///
        /// Exact repeats of an event inside a batch are not an error: they are collapsed.
        public static let duplicateEventID = Reason(rawValue: "duplicate_event_id")

        /// Every reason this version can produce, e.g. to pre-register metric labels.
        public static let allKnown: [Reason] = [
            .invalidUTF8, .invalidJSON, .notAnObject, .unsupportedSchema, .oversize, .tooManyEvents,
            .emptyBatch, .missingField, .wrongType, .invalidUUID, .invalidTimestamp, .timestampOutOfRange,
            .invalidEventType, .invalidDomain, .stringTooLong, .invalidValue, .duplicateField,
            .duplicateEventID,
        ]
    }

    /// The stable code, usable as the dead-letter header value.
    public var reason: Reason
    /// Human-readable detail naming the field path and the rule, e.g. `"events[3].ts: not RFC 3339"`.
    ///
    /// Never contains message content.
    public var detail: String

    /// Creates an error.
    ///
    /// - Parameters:
    ///   - reason: The stable code.
    ///   - detail: Path and rule, without message content.
    public init(_ reason: Reason, _ detail: String) {
        self.reason = reason
        self.detail = detail
    }

    /// `"<reason>: <detail>"`.
    public var description: String { "\(reason.rawValue): \(detail)" }
}

/// Why a seed line, row or event was not imported (a stable snake_case code, shown in the summary).
///
/// Besides the codes below, an event the tracker would reject carries the wire format's own reason
/// (`WireError.Reason`, e.g. `timestamp_out_of_range`, `string_too_long`).
public struct SkipReason: RawRepresentable, Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    /// The code.
    public var rawValue: String

    /// Creates a reason from its code.
    ///
    /// - Parameter rawValue: The code.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// The code.
    public var description: String { rawValue }

    /// Orders by code.
    public static func < (lhs: SkipReason, rhs: SkipReason) -> Bool { lhs.rawValue < rhs.rawValue }

    /// A JSONL line longer than the limit (``SeedJSONL/maxLineBytes``).
    public static let lineTooLong = SkipReason(rawValue: "line_too_long")
    /// An empty or whitespace-only line in the middle of a file (the seed crashed on these).
    public static let blankLine = SkipReason(rawValue: "blank_line")
    /// Not JSON (also invalid UTF-8, and Python's `NaN`/`Infinity`); for the database, `data` text.
    public static let malformedJSON = SkipReason(rawValue: "malformed_json")
    /// JSON, but not an object.
    public static let notAnObject = SkipReason(rawValue: "not_an_object")
    /// A field the record needs is absent or null (the detail names it).
    public static let missingField = SkipReason(rawValue: "missing_field")
    /// A field has the wrong JSON or SQL type (the detail names it).
    public static let wrongType = SkipReason(rawValue: "wrong_type")
    /// A JSONL `type` other than `trace_start`, `event`, `trace_end` (the seed ignored these silently).
    public static let unknownRecordType = SkipReason(rawValue: "unknown_record_type")
    /// An earlier `trace_start` of a file with several (the seed kept the last one).
    public static let supersededHeader = SkipReason(rawValue: "superseded_header")
    /// A JSONL file without `trace_start` whose name does not hold the execution id either.
    public static let missingHeader = SkipReason(rawValue: "missing_header")
    /// A timestamp that is not Python ISO-8601.
    public static let invalidTimestamp = SkipReason(rawValue: "invalid_timestamp")
    /// A value outside what the wire format can say (a status other than completed/failed/recovered,
    /// an unknown recovery strategy, a negative tool duration, an empty event type).
    public static let invalidValue = SkipReason(rawValue: "invalid_value")
    /// An `event_type` that cannot be written as a wire type, even as `seed.<type>`.
    public static let unknownEventType = SkipReason(rawValue: "unknown_event_type")
    /// The same event again in one execution (the seed database stores a trace's events once per
    /// `store_trace` call).
    public static let duplicateEvent = SkipReason(rawValue: "duplicate_event")
    /// A database event whose execution has no `executions` row (the seed could never read it).
    public static let orphanEvent = SkipReason(rawValue: "orphan_event")
}

/// One record not imported, with where it was and why.
public struct ImportIssue: Error, Sendable, Hashable {
    /// Why.
    public var reason: SkipReason
    /// Where.
    public var location: SourceLocation
    /// The field or rule, never the record's content.
    public var detail: String

    /// Creates an issue.
    ///
    /// - Parameters:
    ///   - reason: Why.
    ///   - location: Where.
    ///   - detail: The field or rule.
    public init(_ reason: SkipReason, at location: SourceLocation, _ detail: String = "") {
        self.reason = reason
        self.location = location
        self.detail = detail
    }
}

/// Something the importer changed to make a record fit the wire format (the record was imported).
public struct ImportNote: RawRepresentable, Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    /// The code.
    public var rawValue: String

    /// Creates a note from its code.
    ///
    /// - Parameter rawValue: The code.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// The code.
    public var description: String { rawValue }

    /// Orders by code.
    public static func < (lhs: ImportNote, rhs: ImportNote) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The execution had no (valid) domain: the fallback domain was used.
    public static let domainDefaulted = ImportNote(rawValue: "domain_defaulted")
    /// The execution id was not a UUID: a name-based UUID was derived from it.
    public static let executionIDMapped = ImportNote(rawValue: "execution_id_mapped")
    /// A free-text field (goal, message, error, result) was cut to the wire limit or had U+0000 replaced.
    public static let textShortened = ImportNote(rawValue: "text_shortened")
    /// A value the wire format cannot carry was left out (an invalid `agent_bundle_id`, a negative or
    /// non-finite `duration_ms` outside tool calls, a non-text `error`).
    public static let valueDropped = ImportNote(rawValue: "value_dropped")
    /// An event type the wire format does not know was kept as `seed.<type>`.
    public static let customEventType = ImportNote(rawValue: "custom_event_type")
}

/// Size and range limits enforced by ``WireFormat/decode(_:schemaHeader:limits:now:)``.
///
/// The defaults are the wire-format v1 limits; a consumer may tighten them, but producers must only
/// rely on the defaults.
public struct WireLimits: Sendable, Equatable, Hashable {
    /// Largest accepted message body, in bytes. Defaults to `1_048_576` (1 MiB).
    public var maxMessageBytes: Int = 1_048_576
    /// Most events in one batch message. Defaults to `1000`.
    public var maxEventsPerBatch: Int = 1000
    /// Longest free-text string (`goal`, `error`, `message`, `result`), in UTF-8 bytes.
    /// Defaults to `4096`.
    public var maxStringBytes: Int = 4096
    /// How far after `now` a timestamp may lie, in microseconds. Defaults to 24 hours.
    public var maxFutureSkew: Int64 = 86_400_000_000
    /// Earliest accepted timestamp, in microseconds since the Unix epoch.
    /// Defaults to `946_684_800_000_000` (2000-01-01T00:00:00Z).
    public var minTimestampMicros: Int64 = 946_684_800_000_000
    /// Deepest nesting of JSON objects and arrays (the top-level object counts as 1). Defaults to `32`.
    public var maxDepth: Int = 32

    /// Creates limits; every parameter defaults to the v1 value.
    ///
    /// - Parameters:
    ///   - maxMessageBytes: Largest body in bytes. Defaults to `1_048_576`.
    ///   - maxEventsPerBatch: Most events per batch. Defaults to `1000`.
    ///   - maxStringBytes: Longest free-text string in UTF-8 bytes. Defaults to `4096`.
    ///   - maxFutureSkew: Allowed clock skew into the future, in microseconds. Defaults to 24 h.
    ///   - minTimestampMicros: Earliest timestamp. Defaults to 2000-01-01T00:00:00Z.
    ///   - maxDepth: Deepest JSON nesting. Defaults to `32`.
    public init(
        maxMessageBytes: Int = 1_048_576,
        maxEventsPerBatch: Int = 1000,
        maxStringBytes: Int = 4096,
        maxFutureSkew: Int64 = 86_400_000_000,
        minTimestampMicros: Int64 = 946_684_800_000_000,
        maxDepth: Int = 32
    ) {
        self.maxMessageBytes = maxMessageBytes
        self.maxEventsPerBatch = maxEventsPerBatch
        self.maxStringBytes = maxStringBytes
        self.maxFutureSkew = maxFutureSkew
        self.minTimestampMicros = minTimestampMicros
        self.maxDepth = maxDepth
    }

    /// The wire-format v1 limits.
    public static let `default` = WireLimits()

    /// Longest `domain`, in UTF-8 bytes (fixed by v1).
    static let maxDomainBytes = 128
    /// Longest name-like string (`phase`, plan entries, `agent_id`, `error_type`, `failure_type`).
    static let maxNameBytes = 256
    /// Longest `tool`, in UTF-8 bytes.
    static let maxToolBytes = 128
    /// Most entries in `data.plan`.
    static let maxPlanEntries = 64
}

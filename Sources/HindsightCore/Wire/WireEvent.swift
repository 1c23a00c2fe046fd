public import Foundation

/// One execution event as carried on the wire (format v1).
///
/// Produced by ``WireFormat/decode(_:schemaHeader:limits:now:)`` (which enforces every v1 rule) and
/// serialised by ``WireFormat/encode(_:)``. `event_id` is the idempotency key: storage keeps one row
/// per ``eventID``. See `docs/wire-format.md` for the JSON shape.
public struct WireEvent: Sendable, Equatable, Hashable {
    /// `event_id` — unique per event; the idempotency key.
    public var eventID: UUID
    /// `execution_id` — the execution (run) the event belongs to.
    public var executionID: UUID
    /// `seq` — the event's position within its execution, `0...Int32.max`.
    public var seq: Int64
    /// `ts` — when the event happened, in microseconds since the Unix epoch (UTC), exact.
    public var timestampMicros: Int64
    /// `type` — what happened.
    public var type: EventType
    /// `domain` — the goal domain, 1…128 UTF-8 bytes without control characters.
    public var domain: String
    /// `phase` — the plan phase the event belongs to, 1…256 bytes; required for phase events.
    public var phase: String?
    /// `data` — the typed payload (empty when absent).
    public var payload: EventPayload

    /// ``timestampMicros`` as a `Date` (sub-microsecond precision may be lost to `Double`).
    public var timestamp: Date {
        Date(timeIntervalSince1970: Double(timestampMicros) / 1_000_000)
    }

    /// Creates an event.
    ///
    /// - Parameters:
    ///   - eventID: The idempotency key.
    ///   - executionID: The execution the event belongs to.
    ///   - seq: Position within the execution.
    ///   - timestampMicros: Microseconds since the Unix epoch, UTC.
    ///   - type: What happened.
    ///   - domain: The goal domain.
    ///   - phase: The phase, if any. Defaults to `nil`.
    ///   - payload: The typed payload. Defaults to empty.
    public init(
        eventID: UUID,
        executionID: UUID,
        seq: Int64,
        timestampMicros: Int64,
        type: EventType,
        domain: String,
        phase: String? = nil,
        payload: EventPayload = EventPayload()
    ) {
        self.eventID = eventID
        self.executionID = executionID
        self.seq = seq
        self.timestampMicros = timestampMicros
        self.type = type
        self.domain = domain
        self.phase = phase
        self.payload = payload
    }
}

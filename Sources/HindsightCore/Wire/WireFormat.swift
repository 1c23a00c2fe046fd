import Foundation

/// Wire format v1 of execution events: decoding and encoding AMQP message bodies.
///
/// A message body is UTF-8 JSON holding either one event object or a batch
/// `{"schema":1,"events":[…]}`. The same rules are published as a JSON Schema
/// (`event-v1.schema.json`, a resource of this module) and described in `docs/wire-format.md`.
public enum WireFormat {
    /// The schema version this module reads and writes.
    public static let schemaVersion = 1

    /// The AMQP header that carries ``schemaVersion``.
    public static let schemaHeaderName = "hindsight-schema"

    /// Decodes one AMQP message body: a single event object or `{"schema":1,"events":[…]}`.
    ///
    /// Unknown members are ignored at every level. Exact repeats of an event inside a batch are
    /// collapsed (first occurrence kept); otherwise events are returned in message order. The whole
    /// body is always checked, so a message is either accepted entirely or rejected with one
    /// deterministic reason.
    ///
    /// - Parameters:
    ///   - body: The message body.
    ///   - schemaHeader: The `hindsight-schema` header value when present; anything but `1` is
    ///     rejected with ``WireError/Reason/unsupportedSchema``.
    ///   - limits: Size and range limits. Defaults to ``WireLimits/default``.
    ///   - now: The receiver's clock, in microseconds since the Unix epoch, for the future-skew check.
    ///     Defaults to the current time.
    /// - Returns: The events, at least one.
    /// - Throws: ``WireError`` naming the reason and the member path.
    public static func decode(
        _ body: UnsafeRawBufferPointer,
        schemaHeader: Int? = nil,
        limits: WireLimits = .default,
        now: Int64 = currentMicros()
    ) throws(WireError) -> [WireEvent] {
        try WireDecoder.decode(body.assumingMemoryBound(to: UInt8.self), schemaHeader: schemaHeader,
                               limits: limits, now: now)
    }

    /// Decodes one AMQP message body held in any byte collection (`[UInt8]`, `Data`, `ByteBuffer` views…).
    ///
    /// Contiguous collections are read in place; others are copied once.
    ///
    /// - Parameters:
    ///   - body: The message body.
    ///   - schemaHeader: The `hindsight-schema` header value when present.
    ///   - limits: Size and range limits. Defaults to ``WireLimits/default``.
    ///   - now: The receiver's clock in microseconds. Defaults to the current time.
    /// - Returns: The events, at least one.
    /// - Throws: ``WireError`` naming the reason and the member path.
    public static func decode(
        _ body: some Collection<UInt8>,
        schemaHeader: Int? = nil,
        limits: WireLimits = .default,
        now: Int64 = currentMicros()
    ) throws(WireError) -> [WireEvent] {
        let decodeBytes = { (bytes: UnsafeBufferPointer<UInt8>) -> Result<[WireEvent], WireError> in
            Result { () throws(WireError) -> [WireEvent] in
                try WireDecoder.decode(bytes, schemaHeader: schemaHeader, limits: limits, now: now)
            }
        }
        if let result = body.withContiguousStorageIfAvailable(decodeBytes) { return try result.get() }
        return try Array(body).withUnsafeBufferPointer(decodeBytes).get()
    }

    /// Encodes one event as a single-event message body.
    ///
    /// Deterministic: compact JSON, members in a fixed order (`schema`, `event_id`, `execution_id`,
    /// `seq`, `ts`, `type`, `domain`, `phase`, `data`), absent optionals omitted, lowercase UUIDs, `ts`
    /// with 6 fraction digits in UTC. Events that satisfy the v1 rules decode back to an equal value;
    /// non-finite numbers are written as `null` (and then rejected by the decoder).
    ///
    /// - Parameter event: The event.
    /// - Returns: UTF-8 JSON bytes.
    public static func encode(_ event: WireEvent) -> [UInt8] {
        var writer = JSONWriter()
        writer.out.reserveCapacity(320)
        writer.event(event, withSchema: true)
        return writer.out
    }

    /// Encodes an event's `data` object alone, exactly as ``encode(_:)`` writes it inside an event
    /// (same member names and order, absent members omitted). The store keeps this in `events.data`.
    ///
    /// - Parameter payload: The payload.
    /// - Returns: The JSON object as text.
    public static func encodePayload(_ payload: EventPayload) -> String {
        var writer = JSONWriter()
        writer.payload(payload)
        return String(decoding: writer.out, as: UTF8.self)
    }

    /// Encodes strings as a JSON array with the wire format's escaping (e.g. a plan's phase names).
    ///
    /// - Parameter strings: The strings, in order.
    /// - Returns: The JSON array as text.
    public static func encodeStringArray(_ strings: [String]) -> String {
        var writer = JSONWriter()
        writer.out.append(0x5B)
        for (index, string) in strings.enumerated() {
            if index > 0 { writer.out.append(0x2C) }
            writer.string(string)
        }
        writer.out.append(0x5D)
        return String(decoding: writer.out, as: UTF8.self)
    }

    /// Encodes events as a batch message body `{"schema":1,"events":[…]}`.
    ///
    /// Each event is written as by ``encode(_:)`` without its own `schema` member. The caller keeps
    /// batches within ``WireLimits/maxEventsPerBatch`` and ``WireLimits/maxMessageBytes``; an empty
    /// array produces a body the decoder rejects as ``WireError/Reason/emptyBatch``.
    ///
    /// - Parameter events: The events, in order.
    /// - Returns: UTF-8 JSON bytes.
    public static func encodeBatch(_ events: [WireEvent]) -> [UInt8] {
        var writer = JSONWriter()
        writer.out.reserveCapacity(24 + events.count * 300)
        writer.raw("{\"schema\":1,\"events\":[")
        for (i, event) in events.enumerated() {
            if i > 0 { writer.out.append(0x2C) }
            writer.event(event, withSchema: false)
        }
        writer.raw("]}")
        return writer.out
    }

    /// Formats microseconds since the Unix epoch as RFC 3339 in UTC with 6 fraction digits,
    /// e.g. `"2026-11-25T14:00:00.123456Z"`.
    ///
    /// Values outside years 0000…9999 are clamped to that range.
    ///
    /// - Parameter micros: Microseconds since 1970-01-01T00:00:00Z.
    /// - Returns: The timestamp text.
    public static func formatTimestamp(_ micros: Int64) -> String {
        WireTimestamp.format(micros)
    }

    /// Parses an RFC 3339 date-time into microseconds since the Unix epoch, exactly.
    ///
    /// Accepts `YYYY-MM-DDTHH:MM:SS`, an optional fraction of 1…6 digits, and `Z` or a `±HH:MM`
    /// offset; `T` and `Z` must be uppercase; leap seconds (`:60`) and impossible dates are rejected.
    ///
    /// - Parameter s: The text.
    /// - Returns: Microseconds since 1970-01-01T00:00:00Z, or nil if `s` is not such a timestamp.
    public static func parseTimestamp(_ s: some StringProtocol) -> Int64? {
        var text = String(s)
        return text.withUTF8 { WireTimestamp.parse($0) }
    }

    /// The current time in microseconds since the Unix epoch (the default `now` of `decode`).
    ///
    /// - Returns: Microseconds since 1970-01-01T00:00:00Z.
    public static func currentMicros() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1_000_000).rounded())
    }
}

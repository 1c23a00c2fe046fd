import Foundation

// `Codable` for convenience (tests, tools, JSONEncoder-based code). Same member names and value rules
// as the fast decoder, except the future-skew check, which needs a clock. The hot path is
// `WireFormat.decode`.

extension WireEvent: Codable {
    enum CodingKeys: String, CodingKey {
        case eventID = "event_id"
        case executionID = "execution_id"
        case seq, ts, type, domain, phase, data
    }

    /// Decodes an event object and applies the v1 value rules (not the future-skew check).
    ///
    /// - Parameter decoder: The decoder.
    /// - Throws: `DecodingError`; rule violations are `dataCorrupted` with the ``WireError`` as the
    ///   underlying error.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func corrupted(_ error: WireError) -> DecodingError {
            .dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.description,
                                 underlyingError: error))
        }
        func uuid(_ key: CodingKeys) throws -> UUID {
            var text = try c.decode(String.self, forKey: key)
            guard let value = text.withUTF8({ WireUUID.parse($0) }) else {
                throw corrupted(WireError(.invalidUUID, "\(key.rawValue): must be a canonical UUID"))
            }
            return value
        }
        let eventID = try uuid(.eventID)
        let executionID = try uuid(.executionID)
        let seq = try c.decode(Int64.self, forKey: .seq)
        guard let ts = WireFormat.parseTimestamp(try c.decode(String.self, forKey: .ts)) else {
            throw corrupted(WireError(.invalidTimestamp, "ts: not an RFC 3339 date-time"))
        }
        let type = try c.decode(EventType.self, forKey: .type)
        var payload = try c.decodeIfPresent(EventPayload.self, forKey: .data) ?? EventPayload()
        if type == .phaseCompleted, payload.success == nil { payload.success = true }
        self.init(
            eventID: eventID, executionID: executionID, seq: seq, timestampMicros: ts, type: type,
            domain: try c.decode(String.self, forKey: .domain),
            phase: try c.decodeIfPresent(String.self, forKey: .phase), payload: payload)
        do throws(WireError) {
            try validate(limits: .default, now: nil)
        } catch {
            throw corrupted(error)
        }
    }

    /// Encodes the event with the wire member names; `ts` as RFC 3339 UTC with 6 fraction digits and
    /// UUIDs in lowercase, as ``WireFormat/encode(_:)`` does.
    ///
    /// - Parameter encoder: The encoder.
    /// - Throws: Whatever the encoder throws.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(WireUUID.string(eventID), forKey: .eventID)
        try c.encode(WireUUID.string(executionID), forKey: .executionID)
        try c.encode(seq, forKey: .seq)
        try c.encode(WireTimestamp.format(timestampMicros), forKey: .ts)
        try c.encode(type, forKey: .type)
        try c.encode(domain, forKey: .domain)
        try c.encodeIfPresent(phase, forKey: .phase)
        if !payload.isEmpty { try c.encode(payload, forKey: .data) }
    }
}

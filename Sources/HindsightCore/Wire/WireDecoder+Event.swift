import Foundation

// Event-level decoding: one JSON object's members into typed fields. Type errors are recorded (the
// first one wins) and the value skipped, so that parsing always runs to the end of the body.

/// The members of one event object as parsed so far.
struct EventFields {
    var eventID: UUID?
    var executionID: UUID?
    var seq: Int64?
    var ts: Int64?
    var type: EventType?
    var domain: String?
    var phase: String?
    var payload = EventPayload()
    var schema = SchemaMember.absent
    var seen: UInt32 = 0
    var error: PendingError?

    mutating func fail(_ reason: WireError.Reason, _ path: String, _ rule: String) {
        if error == nil { error = PendingError(reason: reason, path: path, rule: rule) }
    }

    /// Records `bit` as seen; returns false (and records `duplicate_field`) if it was already.
    mutating func firstTime(_ bit: UInt32, _ path: String) -> Bool {
        if seen & bit != 0 {
            fail(.duplicateField, path, "appears more than once")
            return false
        }
        seen |= bit
        return true
    }
}

extension WireDecoder {
    /// Parses an event object (the reader is at `{`) at nesting level `depth`. At the top level
    /// (`depth == 1`), an `events` member makes the message a batch and is parsed into `batch`.
    mutating func parseEvent(depth: Int, batch: inout BatchState) throws(WireError) -> EventFields {
        var f = EventFields()
        try reader.enter(0x7B, depth: depth)
        if try reader.isEmpty(close: 0x7D) { return f }
        repeat {
            let key = try reader.readKey()
            switch key.bytes.count {
            case 2 where key.equals("ts"):
                guard try claim(&f, 1 << 0, "ts", depth), let s = try string(&f, "ts", depth) else { continue }
                if let micros = WireTimestamp.parse(s.bytes) {
                    f.ts = micros
                } else {
                    f.fail(.invalidTimestamp, "ts", "not an RFC 3339 date-time with zone, ≤ 6 fraction digits")
                }
            case 3 where key.equals("seq"):
                guard try claim(&f, 1 << 1, "seq", depth) else { continue }
                f.seq = try integer(&f, "seq", depth)
            case 4 where key.equals("type"):
                guard try claim(&f, 1 << 2, "type", depth), let s = try string(&f, "type", depth) else { continue }
                f.type = EventType(rawValue: s.string)
            case 4 where key.equals("data"):
                guard try claim(&f, 1 << 3, "data", depth) else { continue }
                switch try reader.peek() {
                case 0x7B: try parseData(&f, depth: depth + 1)
                case 0x6E: try reader.readLiteral("null")
                default:
                    f.fail(.wrongType, "data", "must be an object")
                    try reader.skipValue(depth: depth)
                }
            case 5 where key.equals("phase"):
                guard try claim(&f, 1 << 4, "phase", depth), let s = try string(&f, "phase", depth) else { continue }
                f.phase = s.string
            case 6 where key.equals("domain"):
                guard try claim(&f, 1 << 5, "domain", depth), let s = try string(&f, "domain", depth) else { continue }
                f.domain = s.string
            case 6 where key.equals("schema"):
                guard f.firstTime(1 << 6, "schema") else {
                    if depth == 1 { batch.fail(.duplicateField, "schema", "appears more than once") }
                    try reader.skipValue(depth: depth)
                    continue
                }
                let b = try reader.peek()
                if b == 0x2D || b &- 0x30 < 10 {
                    let isOne: Bool
                    if case .value(1) = try reader.readNumber().integerValue { isOne = true } else { isOne = false }
                    f.schema = isOne ? .one : .other
                } else {
                    try reader.skipValue(depth: depth)
                    f.schema = .other
                }
            case 6 where depth == 1 && key.equals("events"):
                if batch.isBatch {
                    batch.fail(.duplicateField, "events", "appears more than once")
                    try reader.skipValue(depth: depth)
                    continue
                }
                batch.isBatch = true
                try parseEvents(depth: depth, batch: &batch)
            case 8 where key.equals("event_id"):
                guard try claim(&f, 1 << 7, "event_id", depth) else { continue }
                f.eventID = try uuid(&f, "event_id", depth)
            case 12 where key.equals("execution_id"):
                guard try claim(&f, 1 << 8, "execution_id", depth) else { continue }
                f.executionID = try uuid(&f, "execution_id", depth)
            default:
                try reader.skipValue(depth: depth)
            }
        } while try reader.next(close: 0x7D)
        return f
    }

    /// Records a member as seen; a repeated member records `duplicate_field`, is skipped, and
    /// returns false.
    mutating func claim(
        _ f: inout EventFields, _ bit: UInt32, _ path: String, _ depth: Int
    ) throws(WireError) -> Bool {
        if f.firstTime(bit, path) { return true }
        try reader.skipValue(depth: depth)
        return false
    }

    /// Reads a string value: nil for `null`; other types record `wrong_type` and are skipped.
    mutating func string(_ f: inout EventFields, _ path: String, _ depth: Int) throws(WireError) -> StringToken? {
        switch try reader.peek() {
        case 0x22: return try reader.readString()
        case 0x6E:
            try reader.readLiteral("null")
            return nil
        default:
            f.fail(.wrongType, path, "must be a string")
            try reader.skipValue(depth: depth)
            return nil
        }
    }

    mutating func uuid(_ f: inout EventFields, _ path: String, _ depth: Int) throws(WireError) -> UUID? {
        guard let s = try string(&f, path, depth) else { return nil }
        guard let value = WireUUID.parse(s.bytes), !WireUUID.isNil(value) else {
            f.fail(.invalidUUID, path, "must be a canonical non-nil UUID (8-4-4-4-12 hex)")
            return nil
        }
        return value
    }

    /// Reads an integer: `2.0` and `2e0` count as integers (as in JSON Schema), `2.5` is `wrong_type`.
    mutating func integer(_ f: inout EventFields, _ path: String, _ depth: Int) throws(WireError) -> Int64? {
        switch try reader.peek() {
        case 0x2D, 0x30...0x39:
            switch try reader.readNumber().integerValue {
            case .value(let v): return v
            case .notInteger: f.fail(.wrongType, path, "must be an integer")
            case .outOfRange: f.fail(.invalidValue, path, "out of range")
            }
            return nil
        case 0x6E:
            try reader.readLiteral("null")
            return nil
        default:
            f.fail(.wrongType, path, "must be an integer")
            try reader.skipValue(depth: depth)
            return nil
        }
    }

    /// Reads a finite number (`1e400` is `invalid_value`).
    mutating func double(_ f: inout EventFields, _ path: String, _ depth: Int) throws(WireError) -> Double? {
        switch try reader.peek() {
        case 0x2D, 0x30...0x39:
            let d = try reader.readNumber().doubleValue
            guard d.isFinite else {
                f.fail(.invalidValue, path, "must be finite")
                return nil
            }
            return d
        case 0x6E:
            try reader.readLiteral("null")
            return nil
        default:
            f.fail(.wrongType, path, "must be a number")
            try reader.skipValue(depth: depth)
            return nil
        }
    }

    mutating func bool(_ f: inout EventFields, _ path: String, _ depth: Int) throws(WireError) -> Bool? {
        switch try reader.peek() {
        case 0x74:
            try reader.readLiteral("true")
            return true
        case 0x66:
            try reader.readLiteral("false")
            return false
        case 0x6E:
            try reader.readLiteral("null")
            return nil
        default:
            f.fail(.wrongType, path, "must be a boolean")
            try reader.skipValue(depth: depth)
            return nil
        }
    }
}

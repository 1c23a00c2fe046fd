// Deterministic compact JSON output for `WireFormat.encode`: fixed member order, no whitespace,
// minimal escaping (`"`, `\`, C0 controls), raw UTF-8 otherwise, shortest round-trip doubles.

struct JSONWriter {
    var out: [UInt8] = []

    @inline(__always) mutating func raw(_ s: StaticString) {
        out.append(contentsOf: UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }

    mutating func string(_ s: String) {
        out.append(0x22)
        for b in s.utf8 {
            switch b {
            case 0x22: raw("\\\"")
            case 0x5C: raw("\\\\")
            case 0x0A: raw("\\n")
            case 0x0D: raw("\\r")
            case 0x09: raw("\\t")
            case 0x08: raw("\\b")
            case 0x0C: raw("\\f")
            case 0..<0x20:
                raw("\\u00")
                out.append(b < 0x10 ? 0x30 : 0x31)
                let low = b & 0x0F
                out.append(low < 10 ? 0x30 + low : 0x61 + low - 10)
            default: out.append(b)
            }
        }
        out.append(0x22)
    }

    mutating func int(_ value: Int64) {
        if value < 0 {
            out.append(0x2D)
            if value == .min {
                raw("9223372036854775808")
                return
            }
        }
        var v = value.magnitude
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var n = 0
        withUnsafeMutableBytes(of: &digits) { d in
            repeat {
                d[19 - n] = UInt8(v % 10) + 0x30
                v /= 10
                n += 1
            } while v > 0
            out.append(contentsOf: d[(20 - n)...])
        }
    }

    /// Finite values in Swift's shortest round-trip form (valid JSON); non-finite as `null`.
    mutating func double(_ value: Double) {
        guard value.isFinite else {
            raw("null")
            return
        }
        if value == value.rounded(), value.magnitude < 1e15 {
            int(Int64(value))
            if value == 0, value.sign == .minus { out.insert(0x2D, at: out.count - 1) }
            return
        }
        out.append(contentsOf: value.description.utf8)
    }

    mutating func member(_ name: StaticString, first: inout Bool) {
        if !first { out.append(0x2C) }
        first = false
        out.append(0x22)
        raw(name)
        raw("\":")
    }

    mutating func event(_ e: WireEvent, withSchema: Bool) {
        raw(withSchema ? "{\"schema\":1,\"event_id\":\"" : "{\"event_id\":\"")
        WireUUID.append(e.eventID, to: &out)
        raw("\",\"execution_id\":\"")
        WireUUID.append(e.executionID, to: &out)
        raw("\",\"seq\":")
        int(e.seq)
        raw(",\"ts\":\"")
        out.append(contentsOf: WireTimestamp.format(e.timestampMicros).utf8)
        raw("\",\"type\":")
        string(e.type.rawValue)
        raw(",\"domain\":")
        string(e.domain)
        if let phase = e.phase {
            raw(",\"phase\":")
            string(phase)
        }
        if !e.payload.isEmpty {
            raw(",\"data\":")
            payload(e.payload)
        }
        out.append(0x7D)
    }

    mutating func payload(_ p: EventPayload) {
        var first = true
        out.append(0x7B)
        if let v = p.goal { member("goal", first: &first); string(v) }
        if let v = p.agentID { member("agent_id", first: &first); string(v) }
        if let v = p.plan {
            member("plan", first: &first)
            out.append(0x5B)
            for (i, entry) in v.enumerated() {
                if i > 0 { out.append(0x2C) }
                string(entry)
            }
            out.append(0x5D)
        }
        if let v = p.estimatedDurationSeconds { member("estimated_duration_s", first: &first); double(v) }
        if let v = p.success { member("success", first: &first); raw(v ? "true" : "false") }
        if let v = p.error { member("error", first: &first); string(v) }
        if let v = p.tool { member("tool", first: &first); string(v) }
        if let v = p.durationMs { member("duration_ms", first: &first); double(v) }
        if let v = p.errorType { member("error_type", first: &first); string(v) }
        if let v = p.message { member("message", first: &first); string(v) }
        if let v = p.fatal { member("fatal", first: &first); raw(v ? "true" : "false") }
        if let v = p.strategy { member("strategy", first: &first); string(v) }
        if let v = p.failureType { member("failure_type", first: &first); string(v) }
        if let v = p.status { member("status", first: &first); string(v) }
        if let v = p.result { member("result", first: &first); string(v) }
        if let v = p.abTest { member("ab_test", first: &first); string(v) }
        if let v = p.variant { member("variant", first: &first); string(v) }
        out.append(0x7D)
    }
}

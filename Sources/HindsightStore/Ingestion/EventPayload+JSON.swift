import HindsightCore

extension EventPayload {
    /// The payload as compact JSON for the `events.data` column: only the fields that are set, with the
    /// wire format's snake_case names, so a stored event reads like the one that was published.
    var storageJSON: String {
        var out = "{"
        var first = true
        func key(_ name: String) {
            if !first { out += "," }
            first = false
            out += "\"\(name)\":"
        }
        func string(_ name: String, _ value: String?) {
            guard let value else { return }
            key(name)
            JSONText.appendString(value, to: &out)
        }
        func number(_ name: String, _ value: Double?) {
            guard let value, value.isFinite else { return }
            key(name)
            out += value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
        }
        func bool(_ name: String, _ value: Bool?) {
            guard let value else { return }
            key(name)
            out += value ? "true" : "false"
        }
        string("goal", goal)
        string("agent_id", agentID)
        if let plan {
            key("plan")
            out += "["
            for (index, name) in plan.enumerated() {
                if index > 0 { out += "," }
                JSONText.appendString(name, to: &out)
            }
            out += "]"
        }
        number("estimated_duration_s", estimatedDurationSeconds)
        bool("success", success)
        string("error", error)
        string("tool", tool)
        number("duration_ms", durationMs)
        string("error_type", errorType)
        string("message", message)
        bool("fatal", fatal)
        string("strategy", strategy)
        string("failure_type", failureType)
        string("status", status)
        string("result", result)
        out += "}"
        return out
    }
}

enum JSONText {
    /// Appends `value` as a JSON string literal (RFC 8259 escaping; PostgreSQL's jsonb rejects \u0000, so
    /// NUL is replaced by U+FFFD).
    static func appendString(_ value: String, to out: inout String) {
        out += "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\0": out += "\u{FFFD}"
            case _ where scalar.value < 0x20:
                out += "\\u00"
                out += String(scalar.value, radix: 16).leftPadded(to: 2)
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}

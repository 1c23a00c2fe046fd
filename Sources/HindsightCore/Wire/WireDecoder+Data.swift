// The `data` object of an event: known members typed, unknown ones skipped. Value rules (lengths,
// ranges, enumerations, per-type requirements) are checked afterwards by `WireEvent.validate`.

extension WireDecoder {
    /// Parses `data` (the reader is at `{`) at nesting level `depth`.
    mutating func parseData(_ f: inout EventFields, depth: Int) throws(WireError) {
        try reader.enter(0x7B, depth: depth)
        if try reader.isEmpty(close: 0x7D) { return }
        repeat {
            let key = try reader.readKey()
            switch key.bytes.count {
            case 4 where key.equals("goal"):
                guard try claim(&f, 1 << 9, "data.goal", depth) else { continue }
                f.payload.goal = try string(&f, "data.goal", depth)?.string
            case 4 where key.equals("plan"):
                guard try claim(&f, 1 << 10, "data.plan", depth) else { continue }
                f.payload.plan = try plan(&f, depth: depth)
            case 4 where key.equals("tool"):
                guard try claim(&f, 1 << 11, "data.tool", depth) else { continue }
                f.payload.tool = try string(&f, "data.tool", depth)?.string
            case 5 where key.equals("error"):
                guard try claim(&f, 1 << 12, "data.error", depth) else { continue }
                f.payload.error = try string(&f, "data.error", depth)?.string
            case 5 where key.equals("fatal"):
                guard try claim(&f, 1 << 13, "data.fatal", depth) else { continue }
                f.payload.fatal = try bool(&f, "data.fatal", depth)
            case 6 where key.equals("status"):
                guard try claim(&f, 1 << 14, "data.status", depth) else { continue }
                f.payload.status = try string(&f, "data.status", depth)?.string
            case 6 where key.equals("result"):
                guard try claim(&f, 1 << 15, "data.result", depth) else { continue }
                f.payload.result = try string(&f, "data.result", depth)?.string
            case 7 where key.equals("success"):
                guard try claim(&f, 1 << 16, "data.success", depth) else { continue }
                f.payload.success = try bool(&f, "data.success", depth)
            case 7 where key.equals("message"):
                guard try claim(&f, 1 << 17, "data.message", depth) else { continue }
                f.payload.message = try string(&f, "data.message", depth)?.string
            case 8 where key.equals("agent_id"):
                guard try claim(&f, 1 << 18, "data.agent_id", depth) else { continue }
                f.payload.agentID = try string(&f, "data.agent_id", depth)?.string
            case 8 where key.equals("strategy"):
                guard try claim(&f, 1 << 19, "data.strategy", depth) else { continue }
                f.payload.strategy = try string(&f, "data.strategy", depth)?.string
            case 10 where key.equals("error_type"):
                guard try claim(&f, 1 << 20, "data.error_type", depth) else { continue }
                f.payload.errorType = try string(&f, "data.error_type", depth)?.string
            case 11 where key.equals("duration_ms"):
                guard try claim(&f, 1 << 21, "data.duration_ms", depth) else { continue }
                f.payload.durationMs = try double(&f, "data.duration_ms", depth)
            case 12 where key.equals("failure_type"):
                guard try claim(&f, 1 << 22, "data.failure_type", depth) else { continue }
                f.payload.failureType = try string(&f, "data.failure_type", depth)?.string
            case 7 where key.equals("ab_test"):
                guard try claim(&f, 1 << 24, "data.ab_test", depth) else { continue }
                f.payload.abTest = try string(&f, "data.ab_test", depth)?.string
            case 7 where key.equals("variant"):
                guard try claim(&f, 1 << 25, "data.variant", depth) else { continue }
                f.payload.variant = try string(&f, "data.variant", depth)?.string
            case 20 where key.equals("estimated_duration_s"):
                guard try claim(&f, 1 << 23, "data.estimated_duration_s", depth) else { continue }
                f.payload.estimatedDurationSeconds = try double(&f, "data.estimated_duration_s", depth)
            default:
                try reader.skipValue(depth: depth)
            }
        } while try reader.next(close: 0x7D)
    }

    /// Reads `data.plan`: an array of strings (or `null`). Entry count and lengths are checked later.
    mutating func plan(_ f: inout EventFields, depth: Int) throws(WireError) -> [String]? {
        switch try reader.peek() {
        case 0x6E:
            try reader.readLiteral("null")
            return nil
        case 0x5B:
            break
        default:
            f.fail(.wrongType, "data.plan", "must be an array of strings")
            try reader.skipValue(depth: depth)
            return nil
        }
        try reader.enter(0x5B, depth: depth + 1)
        var entries: [String] = []
        if try reader.isEmpty(close: 0x5D) { return entries }
        repeat {
            if try reader.peek() == 0x22 {
                let s = try reader.readString()
                // Stop collecting past the limit; `validate` reports the count.
                if entries.count <= WireLimits.maxPlanEntries { entries.append(s.string) }
            } else {
                f.fail(.wrongType, "data.plan[\(entries.count)]", "must be a string")
                try reader.skipValue(depth: depth + 1)
            }
        } while try reader.next(close: 0x5D)
        return entries
    }
}

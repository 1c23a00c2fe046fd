import Foundation
import HindsightCore
@testable import HindsightImport

/// Seed lines written exactly as the seed's `json.dumps` does (default separators `", "` and `": "`).
enum SeedLines {
    static let executionID = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
    static let bundleID = "0b6f1c2e-8d4a-4f7e-9c3b-2a1d5e6f7a01"

    static let header = #"{"type": "trace_start", "execution_id": "7c9e6679-7425-40de-944b-e07fc1f90ae7", "agent_bundle_id": "0b6f1c2e-8d4a-4f7e-9c3b-2a1d5e6f7a01", "goal": "Clean the sales data", "domain": "data-processing", "start_time": "2025-11-11T19:05:01.123456"}"#
    static let phaseStart = #"{"type": "event", "timestamp": "2025-11-11T19:05:02", "event_type": "phase_start", "phase_name": "extract", "data": {}, "duration_ms": null}"#
    static let tool = #"{"type": "event", "timestamp": "2025-11-11T19:05:03.500000", "event_type": "tool_call", "phase_name": null, "data": {"tool": "sql", "parameters": {"query": "SELECT 1"}}, "duration_ms": 412.5}"#
    static let error = #"{"type": "event", "timestamp": "2025-11-11T19:05:04.000001", "event_type": "error", "phase_name": "extract", "data": {"error_type": "TimeoutError", "message": "Query timed out", "fatal": false}, "duration_ms": null}"#
    static let phaseEnd = #"{"type": "event", "timestamp": "2025-11-11T19:05:05.250000", "event_type": "phase_end", "phase_name": "extract", "data": {"success": false, "error": "Query timed out"}, "duration_ms": null}"#
    static let footer = #"{"type": "trace_end", "execution_id": "7c9e6679-7425-40de-944b-e07fc1f90ae7", "end_time": "2025-11-11T19:05:06.750000", "status": "failed", "final_result": "gave up", "duration_seconds": 5.627, "event_count": 4}"#

    static func lines(_ texts: [String]) -> [LineSplitter.Line] {
        var splitter = LineSplitter(maxLineBytes: SeedJSONL.maxLineBytes)
        var lines = splitter.feed(Array(texts.joined(separator: "\n").utf8) + [0x0A])
        if let last = splitter.finish() { lines.append(last) }
        return lines
    }

    static func parse(_ texts: [String], path: String = "traces/trace_\(executionID).jsonl") -> (SeedExecution?, [ImportIssue]) {
        SeedJSONL.parse(lines(texts), path: path)
    }

    /// A clock well after the seed's timestamps.
    static let now: Int64 = 1_800_000_000_000_000

    static func convert(_ execution: SeedExecution?) -> SeedConverter.Conversion {
        SeedConverter().convert(execution ?? SeedExecution(executionID: "none"), now: now)
    }

    static func micros(_ text: String) -> Int64 {
        WireFormat.parseTimestamp(text) ?? -1
    }
}

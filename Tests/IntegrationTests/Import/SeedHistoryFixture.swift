import Foundation
import HindsightAgent
import HindsightCore
import SQLiteNIO

/// A small history of the seed system, written three ways: as the seed's JSONL trace files, as its SQLite
/// database (the exact schema and what `store_trace` writes), and as the wire events the Swift agent
/// publishes live for the same executions.
struct SeedHistoryFixture {
    enum Step {
        case phaseStart(String)
        case phaseEnd(String, success: Bool, error: String?)
        case tool(String, ms: Double)
        case error(type: String, message: String, phase: String?, fatal: Bool)
        /// Appended by the seed's self-healing to `trace.events` only (dated at the trace's start).
        case recovery(strategy: String, phase: String)
    }

    struct Execution {
        var id: UUID
        var bundle = UUID()
        var domain: String?
        var goal: String?
        var startMicros: Int64
        var steps: [Step]
        var end: (status: String, result: String?)?
        /// `store_trace` called twice (while running, then at the end): every event stored twice.
        var storedTwice = false

        func micros(of index: Int) -> Int64 {
            if case .recovery = steps[index] { return startMicros }
            return startMicros + Int64(index + 1) * 1_000_000 + Int64(index) * 12_345
        }

        var endMicros: Int64 { startMicros + Int64(steps.count + 2) * 1_000_000 + 500_000 }
    }

    var executions: [Execution]

    /// Recovery attempts in the history (in the database only).
    var recoveryCount: Int {
        executions.reduce(0) { n, e in n + e.steps.filter { if case .recovery = $0 { true } else { false } }.count }
    }

    /// Six executions over two domains (and one without a goal domain), started two days before `now`.
    static func sample(now: Int64) -> SeedHistoryFixture {
        let base = now - 2 * 86_400_000_000
        let minute: Int64 = 60_000_000
        return SeedHistoryFixture(executions: [
            Execution(id: UUID(), domain: "data-processing", goal: "Clean the sales data", startMicros: base, steps: [
                .phaseStart("extract"), .tool("sql", ms: 412.5), .phaseEnd("extract", success: true, error: nil),
                .phaseStart("load"), .tool("http_get", ms: 83.25), .phaseEnd("load", success: true, error: nil),
            ], end: ("completed", "done")),
            Execution(id: UUID(), domain: "data-processing", goal: "Clean the sales data again", startMicros: base + minute, steps: [
                .phaseStart("extract"), .error(type: "TimeoutError", message: "Query timed out after 30 s", phase: "extract", fatal: false),
                .recovery(strategy: "retry", phase: "extract"), .phaseEnd("extract", success: false, error: "Query timed out"),
                .phaseStart("extract"), .phaseEnd("extract", success: true, error: nil),
            ], end: ("recovered", "done after a retry"), storedTwice: true),
            Execution(id: UUID(), domain: "security-analysis", goal: "Scan the repository", startMicros: base + 2 * minute, steps: [
                .phaseStart("scan"), .tool("claude", ms: 1500), .error(type: "PermissionError", message: "Access denied: /etc/shadow", phase: "scan", fatal: true),
                .recovery(strategy: "escalate", phase: "scan"), .phaseEnd("scan", success: false, error: "Access denied"),
            ], end: ("failed", nil)),
            Execution(id: UUID(), domain: "security-analysis", goal: "Scan again", startMicros: base + 3 * minute, steps: [
                .phaseStart("scan"), .tool("llm", ms: 0),
            ], end: nil),
            Execution(id: UUID(), domain: nil, goal: nil, startMicros: base + 4 * minute, steps: [
                .phaseStart("only"), .phaseEnd("only", success: true, error: nil),
            ], end: ("completed", "ok")),
            Execution(id: UUID(), domain: "automation", goal: "Rotate \"the\" logs \\ daily", startMicros: base + 5 * minute, steps: [
                .phaseStart("rotate"), .tool("shell", ms: 2.5), .phaseEnd("rotate", success: true, error: nil),
            ], end: ("completed", "rotated")),
        ])
    }

    // MARK: The seed's formats

    /// Python `datetime.isoformat()` of naive UTC (microseconds omitted when zero).
    static func iso(_ micros: Int64) -> String {
        var text = String(WireFormat.formatTimestamp(micros).dropLast())
        if text.hasSuffix(".000000") { text.removeLast(7) }
        return text
    }

    /// `json.dumps` of ASCII values: separators `", "` and `": "`.
    static func json(_ value: Any?) -> String {
        switch value {
        case nil: return "null"
        case let string as String:
            return "\"" + string.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        case let bool as Bool: return bool ? "true" : "false"
        case let double as Double: return "\(double)"
        case let int as Int: return "\(int)"
        case let pairs as KeyValuePairs<String, Any?>:
            return "{" + pairs.map { json($0.key) + ": " + json($0.value) }.joined(separator: ", ") + "}"
        default: return "null"
        }
    }

    /// (event_type, phase_name, data as json.dumps, duration_ms) of a step, as the seed's tracker records it.
    static func seedEvent(_ step: Step) -> (type: String, phase: String?, data: String, durationMs: Double?) {
        switch step {
        case .phaseStart(let phase): return ("phase_start", phase, "{}", nil)
        case .phaseEnd(let phase, let success, let error):
            let data: KeyValuePairs<String, Any?> = error.map { ["success": success, "error": $0] } ?? ["success": success]
            return ("phase_end", phase, json(data), nil)
        case .tool(let tool, let ms):
            return ("tool_call", nil, json(["tool": tool, "parameters": KeyValuePairs<String, Any?>()] as KeyValuePairs<String, Any?>), ms)
        case .error(let type, let message, let phase, let fatal):
            return ("error", phase, json(["error_type": type, "message": message, "fatal": fatal] as KeyValuePairs<String, Any?>), nil)
        case .recovery(let strategy, let phase):
            return ("recovery_attempt", phase,
                    json(["strategy": strategy, "reason": "Learned", "confidence": 0.7] as KeyValuePairs<String, Any?>), nil)
        }
    }

    /// One `trace_<id>.jsonl` per execution (recovery attempts never reach the JSONL file).
    func writeJSONL(to directory: URL) throws {
        for execution in executions {
            let id = execution.id.uuidString.lowercased()
            var lines = [Self.json([
                "type": "trace_start", "execution_id": id, "agent_bundle_id": execution.bundle.uuidString.lowercased(),
                "goal": execution.goal, "domain": execution.domain, "start_time": Self.iso(execution.startMicros),
            ] as KeyValuePairs<String, Any?>)]
            for (index, step) in execution.steps.enumerated() {
                if case .recovery = step { continue }
                let event = Self.seedEvent(step)
                lines.append("{\"type\": \"event\", \"timestamp\": \(Self.json(Self.iso(execution.micros(of: index)))), "
                    + "\"event_type\": \(Self.json(event.type)), \"phase_name\": \(Self.json(event.phase)), "
                    + "\"data\": \(event.data), \"duration_ms\": \(Self.json(event.durationMs))}")
            }
            if let end = execution.end {
                lines.append(Self.json([
                    "type": "trace_end", "execution_id": id, "end_time": Self.iso(execution.endMicros), "status": end.status,
                    "final_result": end.result, "duration_seconds": Double(execution.endMicros - execution.startMicros) / 1e6,
                    "event_count": execution.steps.count,
                ] as KeyValuePairs<String, Any?>))
            }
            try (lines.joined(separator: "\n") + "\n").write(
                to: directory.appendingPathComponent("trace_\(id).jsonl"), atomically: true, encoding: .utf8)
        }
    }

    /// The seed's database: its schema (db:41-106) and `store_trace` rows.
    func writeSQLite(to path: String) async throws {
        let db = try await SQLiteConnection.open(storage: .file(path: path))
        for statement in [
            """
            CREATE TABLE IF NOT EXISTS executions (execution_id TEXT PRIMARY KEY, agent_bundle_id TEXT NOT NULL, goal_domain TEXT,
                goal_text TEXT, start_time TEXT NOT NULL, end_time TEXT, duration_seconds REAL, status TEXT NOT NULL,
                final_result TEXT, created_at TEXT NOT NULL)
            """,
            """
            CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY AUTOINCREMENT, execution_id TEXT NOT NULL,
                timestamp TEXT NOT NULL, event_type TEXT NOT NULL, phase_name TEXT, data TEXT, duration_ms REAL,
                FOREIGN KEY (execution_id) REFERENCES executions(execution_id))
            """,
            """
            CREATE TABLE IF NOT EXISTS metrics (execution_id TEXT PRIMARY KEY, total_duration_seconds REAL, success_rate REAL,
                error_count INTEGER, tool_usage TEXT, api_calls INTEGER, tokens_used INTEGER, phase_metrics TEXT,
                FOREIGN KEY (execution_id) REFERENCES executions(execution_id))
            """,
            "CREATE INDEX IF NOT EXISTS idx_executions_domain ON executions(goal_domain)",
            "CREATE INDEX IF NOT EXISTS idx_executions_start_time ON executions(start_time)",
            "CREATE INDEX IF NOT EXISTS idx_events_execution ON events(execution_id)",
            "CREATE INDEX IF NOT EXISTS idx_events_type ON events(event_type)",
        ] {
            _ = try await db.query(statement)
        }
        func text(_ value: String?) -> SQLiteData { value.map { .text($0) } ?? .null }
        for execution in executions {
            let id = execution.id.uuidString.lowercased()
            for pass in execution.storedTwice ? [0, 1] : [1] {
                let finished = pass == 1 ? execution.end : nil
                _ = try await db.query(
                    "INSERT OR REPLACE INTO executions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [.text(id), .text(execution.bundle.uuidString.lowercased()), text(execution.domain), text(execution.goal),
                     .text(Self.iso(execution.startMicros)), text(finished.map { _ in Self.iso(execution.endMicros) }),
                     finished.map { _ in .float(Double(execution.endMicros - execution.startMicros) / 1e6) } ?? .null,
                     .text(finished?.status ?? "running"), text(finished?.result), .text(Self.iso(execution.endMicros))])
                for (index, step) in execution.steps.enumerated() {
                    let event = Self.seedEvent(step)
                    _ = try await db.query(
                        "INSERT INTO events (execution_id, timestamp, event_type, phase_name, data, duration_ms) VALUES (?, ?, ?, ?, ?, ?)",
                        [.text(id), .text(Self.iso(execution.micros(of: index))), .text(event.type), text(event.phase),
                         .text(event.data), event.durationMs.map { .float($0) } ?? .null])
                }
            }
            _ = try await db.query(
                "INSERT OR REPLACE INTO metrics VALUES (?, 0, 0, 0, '{}', 0, 0, '{}')", [.text(id)])
        }
        try await db.close()
    }

    // MARK: Live

    /// The events the Swift agent publishes live for the same history.
    var liveEvents: [WireEvent] {
        executions.flatMap { execution -> [WireEvent] in
            var recorder = ExecutionRecorder(executionID: execution.id, domain: execution.domain ?? "unknown")
            recorder.record(.executionStarted, at: execution.startMicros, payload: EventPayload(
                goal: execution.goal, agentID: execution.bundle.uuidString.lowercased()))
            for (index, step) in execution.steps.enumerated() {
                let at = execution.micros(of: index)
                switch step {
                case .phaseStart(let phase): recorder.startPhase(phase, at: at)
                case .phaseEnd(let phase, let success, let error): recorder.endPhase(phase, success: success, error: error, at: at)
                case .tool(let tool, let ms): recorder.toolUsed(tool, durationMs: ms, at: at)
                case .error(let type, let message, let phase, let fatal):
                    recorder.error(type: type, message: message, phase: phase, fatal: fatal, at: at)
                case .recovery(let strategy, let phase):
                    recorder.record(.recoveryAttempted, phase: phase, at: at, payload: EventPayload(strategy: strategy))
                }
            }
            if let end = execution.end { recorder.complete(status: end.status, result: end.result, at: execution.endMicros) }
            return recorder.events
        }
    }
}

import Foundation
import HindsightCore
import Testing
@testable import HindsightImport

@Suite struct SeedDatabaseRowsTests {
    typealias Rows = SeedDatabaseRows

    static let execution = Rows.Execution(
        rowID: 1, executionID: .text(SeedLines.executionID), agentBundleID: .text(SeedLines.bundleID),
        goalDomain: .text("data-processing"), goalText: .text("Clean the sales data"),
        startTime: .text("2025-11-11T19:05:01.123456"), endTime: .text("2025-11-11T19:05:06.750000"),
        status: .text("failed"), finalResult: .text("gave up"))

    /// The rows `store_trace` writes for the JSONL trace of `SeedLines`, plus a recovery attempt that the
    /// seed's self-healing appended to `trace.events` (dated at the trace's start, in no JSONL file).
    static let events: [Rows.Event] = [
        .init(id: 11, timestamp: .text("2025-11-11T19:05:02"), eventType: .text("phase_start"), phaseName: .text("extract"), data: .text("{}")),
        .init(id: 12, timestamp: .text("2025-11-11T19:05:03.500000"), eventType: .text("tool_call"),
              data: .text(#"{"tool": "sql", "parameters": {"query": "SELECT 1"}}"#), durationMs: .real(412.5)),
        .init(id: 13, timestamp: .text("2025-11-11T19:05:04.000001"), eventType: .text("error"), phaseName: .text("extract"),
              data: .text(#"{"error_type": "TimeoutError", "message": "Query timed out", "fatal": false}"#)),
        .init(id: 14, timestamp: .text("2025-11-11T19:05:05.250000"), eventType: .text("phase_end"), phaseName: .text("extract"),
              data: .text(#"{"success": false, "error": "Query timed out"}"#)),
        .init(id: 15, timestamp: .text("2025-11-11T19:05:01.123456"), eventType: .text("recovery_attempt"), phaseName: .text("extract"),
              data: .text(#"{"strategy": "retry", "reason": "Timeout may be transient", "confidence": 0.7}"#)),
    ]

    @Test func rowsBecomeTheSameEventsAsTheJSONLFile() throws {
        let (execution, issues) = Rows.execution(Self.execution, events: Self.events.reversed(), path: "h.db")
        #expect(issues.isEmpty)
        let fromDB = SeedLines.convert(execution)
        let fromJSONL = SeedLines.convert(SeedLines.parse([
            SeedLines.header, SeedLines.phaseStart, SeedLines.tool, SeedLines.error, SeedLines.phaseEnd, SeedLines.footer,
        ]).0)
        // In insertion order (`id`), not the seed's timestamp order; the recovery attempt only in the database.
        #expect(fromDB.events.map(\.type) == [.executionStarted, .phaseStarted, .toolUsed, .error, .phaseCompleted, .recoveryAttempted, .executionCompleted])
        let jsonlIDs = Set(fromJSONL.events.map(\.eventID))
        #expect(fromDB.events.filter { jsonlIDs.contains($0.eventID) }.count == 6)
        #expect(fromDB.events.filter { $0.type != .recoveryAttempted }.map(\.payload) == fromJSONL.events.map(\.payload))
    }

    @Test func storedTwiceTheEventsAreImportedOnce() {
        let twice = Self.events + Self.events.map { var e = $0; e.id += 100; return e }
        let (execution, _) = Rows.execution(Self.execution, events: twice, path: "h.db")
        let conversion = SeedLines.convert(execution)
        #expect(conversion.events.count == 7)
        #expect(conversion.issues.map(\.reason) == Array(repeating: .duplicateEvent, count: 5))
        #expect(conversion.issues.first?.location.description == "h.db#events#111")
    }

    @Test func aRunningRowHasNoCompletion() {
        var running = Self.execution
        running.status = .text("running")
        running.endTime = .null
        let (execution, issues) = Rows.execution(running, events: [], path: "h.db")
        #expect(issues.isEmpty)
        #expect(SeedLines.convert(execution).events.map(\.type) == [.executionStarted])
        var noEnd = Self.execution
        noEnd.endTime = .null
        #expect(Rows.execution(noEnd, events: [], path: "h.db").issues.map(\.reason) == [.missingField])
    }

    @Test func dataNullEmptyOrBroken() {
        let rows: [Rows.Event] = [
            .init(id: 1, timestamp: .text("2025-11-11T19:05:02"), eventType: .text("retry"), phaseName: .text("p"), data: .null),
            .init(id: 2, timestamp: .text("2025-11-11T19:05:03"), eventType: .text("retry"), phaseName: .text("p"), data: .text("")),
            .init(id: 3, timestamp: .text("2025-11-11T19:05:04"), eventType: .text("retry"), data: .text("{broken")),
            .init(id: 4, timestamp: .text("2025-11-11T19:05:04"), eventType: .text("retry"), data: .text("[]")),
            .init(id: 5, timestamp: .null, eventType: .text("retry")),
            .init(id: 6, timestamp: .text("2025-11-11T19:05:04"), eventType: .text("retry"), durationMs: .text("fast")),
            .init(id: 7, timestamp: .text("2025-11-11T19:05:05"), eventType: .text("tool_call"), data: .text(#"{"tool": "x"}"#), durationMs: .integer(7)),
        ]
        let (execution, issues) = Rows.execution(Self.execution, events: rows, path: "h.db")
        #expect(issues.map(\.reason) == [.malformedJSON, .wrongType, .missingField, .wrongType])
        #expect(issues.map(\.location.description) == ["h.db#events#3", "h.db#events#4", "h.db#events#5", "h.db#events#6"])
        let events = SeedLines.convert(execution).events
        #expect(events.map(\.type) == [.executionStarted, .retry, .retry, .toolUsed, .executionCompleted])
        #expect(events[3].payload.durationMs == 7)
    }

    @Test func aRowWithoutIDIsReported() {
        var row = Self.execution
        row.executionID = .null
        let (execution, issues) = Rows.execution(row, events: [], path: "h.db")
        #expect(execution == nil)
        #expect(issues.map(\.reason) == [.missingField])
    }
}

@Suite struct ImportSummaryTests {
    @Test func countsReasonsAndKeepsTheFirstLocations() {
        var summary = ImportSummary()
        summary.jsonlFiles = 2
        summary.databases = 1
        summary.executions = 3
        summary.events = 40
        for line in 1...5 { summary.record(ImportIssue(.malformedJSON, at: SourceLocation(path: "a.jsonl", line: line))) }
        summary.record(ImportIssue(.missingField, at: SourceLocation(path: "h.db", row: "events#9"), "timestamp"))
        summary.record([.domainDefaulted: 2])
        #expect(summary.skippedCount == 6)
        #expect(summary.skipped["malformed_json"]?.first == ["a.jsonl:1", "a.jsonl:2", "a.jsonl:3"])
        #expect(summary.text == """
            imported 3 executions, 40 events from 2 JSONL files and 1 SQLite database
            skipped 6 records:
              malformed_json  5  first: a.jsonl:1, a.jsonl:2, a.jsonl:3
              missing_field   1  first: h.db#events#9 (timestamp)
            adjusted: domain_defaulted 2
            """)
    }
}

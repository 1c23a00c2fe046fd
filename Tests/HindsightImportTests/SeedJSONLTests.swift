import Foundation
import HindsightCore
import Testing
@testable import HindsightImport

@Suite struct SeedJSONLTests {
    @Test func aWholeTraceInTheSeedsExactFormat() throws {
        let (execution, issues) = SeedLines.parse([
            SeedLines.header, SeedLines.phaseStart, SeedLines.tool, SeedLines.error, SeedLines.phaseEnd, SeedLines.footer,
        ])
        #expect(issues.isEmpty)
        let parsed = try #require(execution)
        #expect(parsed.executionID == SeedLines.executionID)
        #expect(parsed.domain == "data-processing")
        #expect(parsed.goal == "Clean the sales data")
        #expect(parsed.records.count == 5)
        let tool = try #require(parsed.records.compactMap { if case .event(let e) = $0, e.eventType == "tool_call" { e } else { nil } }.first)
        #expect(tool.phaseName == nil)
        #expect(tool.durationMs == 412.5)
        #expect(tool.data["tool"] == .string("sql"))
        #expect(tool.location == SourceLocation(path: "traces/trace_\(SeedLines.executionID).jsonl", line: 3))
    }

    @Test func compactSeparatorsAndCRLFAreReadToo() throws {
        let compact = SeedLines.phaseStart.replacingOccurrences(of: ", ", with: ",").replacingOccurrences(of: ": ", with: ":")
        let (execution, issues) = SeedJSONL.parse(
            { var s = LineSplitter(maxLineBytes: 1 << 20); return s.feed(Array((SeedLines.header + "\r\n" + compact + "\r\n").utf8)) }(),
            path: "a.jsonl")
        #expect(issues.isEmpty)
        #expect(execution?.records.count == 1)
    }

    @Test func badLinesAreSkippedWithTheirReasonAndLine() throws {
        let (execution, issues) = SeedLines.parse([
            SeedLines.header,
            "",
            "{not json",
            "[1, 2]",
            #"{"timestamp": "2025-11-11T19:05:02"}"#,
            #"{"type": "checkpoint"}"#,
            #"{"type": 7}"#,
            #"{"type": "event", "event_type": "phase_start", "phase_name": "x"}"#,
            #"{"type": "event", "timestamp": "2025-11-11T19:05:02", "event_type": "tool_call", "data": [1]}"#,
            #"{"type": "event", "timestamp": "2025-11-11T19:05:02", "event_type": "tool_call", "duration_ms": "5"}"#,
            #"{"type": "event", "timestamp": "2025-11-11T19:05:02", "event_type": 3}"#,
            #"{"type": "trace_end", "end_time": "2025-11-11T19:05:06"}"#,
            #"{"type": "event", "timestamp": "2025-11-11T19:05:02", "event_type": "tool_call", "duration_ms": NaN}"#,
            SeedLines.phaseStart,
        ])
        let byLine = Dictionary(uniqueKeysWithValues: issues.map { ($0.location.line ?? 0, $0.reason) })
        #expect(byLine == [
            2: .blankLine, 3: .malformedJSON, 4: .notAnObject, 5: .missingField, 6: .unknownRecordType, 7: .wrongType,
            8: .missingField, 9: .wrongType, 10: .wrongType, 11: .wrongType, 12: .missingField, 13: .malformedJSON,
        ])
        #expect(issues.first { $0.location.line == 8 }?.detail == "timestamp")
        #expect(issues.first { $0.location.line == 12 }?.detail == "status")
        #expect(execution?.records.count == 1)
    }

    @Test func theLastHeaderWinsAsInLoadTrace() throws {
        let later = SeedLines.header.replacingOccurrences(of: "data-processing", with: "automation")
        let (execution, issues) = SeedLines.parse([SeedLines.header, SeedLines.phaseStart, later])
        #expect(execution?.domain == "automation")
        #expect(issues == [ImportIssue(.supersededHeader, at: SourceLocation(path: "traces/trace_\(SeedLines.executionID).jsonl", line: 1), "a later trace_start wins")])
    }

    @Test func withoutHeaderTheFileNameGivesTheExecution() throws {
        let (execution, issues) = SeedLines.parse([SeedLines.phaseStart, SeedLines.footer])
        #expect(issues.isEmpty)
        #expect(execution?.executionID == SeedLines.executionID)
        #expect(execution?.startTime == nil)
        let conversion = SeedLines.convert(execution)
        #expect(conversion.events.map(\.type) == [.phaseStarted, .executionCompleted])
        #expect(conversion.events.allSatisfy { $0.domain == "unknown" })
        #expect(conversion.notes[.domainDefaulted] == 1)
    }

    @Test func withoutHeaderOrSeedFileNameEveryRecordIsReported() {
        let (execution, issues) = SeedLines.parse([SeedLines.phaseStart, SeedLines.tool], path: "old/run.jsonl")
        #expect(execution == nil)
        #expect(issues.map(\.reason) == [.missingHeader, .missingHeader])
        #expect(issues.map(\.location.line) == [1, 2])
    }

    @Test func fileNamesOfTheSeed() {
        #expect(SeedJSONL.executionID(fromFileName: "/x/traces/trace_abc.jsonl") == "abc")
        #expect(SeedJSONL.executionID(fromFileName: "trace_.jsonl") == nil)
        #expect(SeedJSONL.executionID(fromFileName: "/x/other.jsonl") == nil)
    }

    @Test func anEmptyFileIsNoExecution() {
        let (execution, issues) = SeedJSONL.parse([], path: "traces/trace_\(SeedLines.executionID).jsonl")
        #expect(execution == nil)
        #expect(issues.isEmpty)
    }
}

@Suite struct LineSplitterTests {
    @Test func linesAcrossChunksWithCRLFAndNoFinalNewline() {
        var splitter = LineSplitter(maxLineBytes: 10)
        var lines = splitter.feed(Array("ab".utf8))
        lines += splitter.feed(Array("c\r\nde\n\nf".utf8))
        if let last = splitter.finish() { lines.append(last) }
        #expect(lines.map { String(decoding: $0.bytes, as: UTF8.self) } == ["abc", "de", "", "f"])
        #expect(lines.map(\.number) == [1, 2, 3, 4])
    }

    @Test func aFinalNewlineEndsTheFile() {
        var splitter = LineSplitter(maxLineBytes: 10)
        #expect(splitter.feed(Array("a\n".utf8)).count == 1)
        #expect(splitter.finish() == nil)
    }

    @Test func aLineOverTheLimitIsMarkedAndDropped() {
        var splitter = LineSplitter(maxLineBytes: 4)
        let lines = splitter.feed(Array("abcd\nabcde\nabcd\r\nabcdefghijkl\nok\n".utf8))
        #expect(lines.map(\.tooLong) == [false, true, false, true, false])
        #expect(lines.map { $0.bytes.count } == [4, 0, 4, 0, 2])
        let (_, issues) = SeedJSONL.parse(lines, path: "a.jsonl")
        #expect(issues.filter { $0.reason == .lineTooLong }.map(\.location.line) == [2, 4])
    }
}

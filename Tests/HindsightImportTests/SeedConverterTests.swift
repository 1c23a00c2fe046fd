import Foundation
import HindsightCore
import Testing
@testable import HindsightImport

@Suite struct SeedConverterTests {
    @Test func theMappingOfAWholeTrace() throws {
        let (execution, _) = SeedLines.parse([
            SeedLines.header, SeedLines.phaseStart, SeedLines.tool, SeedLines.error, SeedLines.phaseEnd, SeedLines.footer,
        ])
        let conversion = SeedLines.convert(execution)
        #expect(conversion.issues.isEmpty)
        #expect(conversion.notes.isEmpty)
        let id = try #require(UUID(uuidString: SeedLines.executionID))
        #expect(conversion.executionID == id)
        let events = conversion.events
        #expect(events.map(\.type) == [.executionStarted, .phaseStarted, .toolUsed, .error, .phaseCompleted, .executionCompleted])
        #expect(events.map(\.seq) == [0, 1, 2, 3, 4, 5])
        #expect(events.allSatisfy { $0.executionID == id && $0.domain == "data-processing" })
        #expect(events[0].timestampMicros == SeedLines.micros("2025-11-11T19:05:01.123456Z"))
        #expect(events[0].payload == EventPayload(goal: "Clean the sales data", agentID: SeedLines.bundleID))
        #expect(events[1].phase == "extract")
        #expect(events[1].timestampMicros == SeedLines.micros("2025-11-11T19:05:02Z"))
        #expect(events[2].phase == nil)
        #expect(events[2].payload == EventPayload(tool: "sql", durationMs: 412.5))
        #expect(events[3].payload == EventPayload(errorType: "TimeoutError", message: "Query timed out", fatal: false))
        #expect(events[4].payload == EventPayload(success: false, error: "Query timed out"))
        #expect(events[5].payload == EventPayload(status: "failed", result: "gave up"))
        #expect(events[5].timestampMicros == SeedLines.micros("2025-11-11T19:05:06.75Z"))
        // Every event passes the tracker's decoder.
        for event in events {
            #expect(try WireFormat.decode(WireFormat.encode(event), now: SeedLines.now) == [event])
        }
    }

    @Test(arguments: [
        (#"{}"#, true), (#"{"success": true}"#, true), (#"{"success": false}"#, false), (#"{"success": null}"#, false),
        (#"{"success": 0}"#, false), (#"{"success": 1}"#, true), (#"{"success": ""}"#, false), (#"{"success": "no"}"#, true),
    ])
    func phaseEndSuccessIsPythonsTruthOfDataSuccess(data: String, success: Bool) throws {
        let line = #"{"type": "event", "timestamp": "2025-11-11T19:05:05", "event_type": "phase_end", "phase_name": "p", "data": \#(data), "duration_ms": null}"#
        let conversion = SeedLines.convert(SeedLines.parse([SeedLines.header, line]).0)
        #expect(conversion.events.last?.payload.success == success)
    }

    @Test func recoveryAttemptsRetryAndCustomTypes() throws {
        let lines = [
            SeedLines.header,
            #"{"type": "event", "timestamp": "2025-11-11T19:05:01.123456", "event_type": "recovery_attempt", "phase_name": "extract", "data": {"strategy": "retry", "reason": "Timeout may be transient", "confidence": 0.7}, "duration_ms": null}"#,
            #"{"type": "event", "timestamp": "2025-11-11T19:05:02", "event_type": "retry", "phase_name": "extract", "data": {}, "duration_ms": null}"#,
            #"{"type": "event", "timestamp": "2025-11-11T19:05:03", "event_type": "checkpoint", "phase_name": "extract", "data": {"n": 1}, "duration_ms": 5}"#,
            #"{"type": "event", "timestamp": "2025-11-11T19:05:03", "event_type": "Bad Type!", "data": {}}"#,
            #"{"type": "event", "timestamp": "2025-11-11T19:05:03", "event_type": "", "data": {}}"#,
            #"{"type": "event", "timestamp": "2025-11-11T19:05:03", "event_type": "recovery_attempt", "data": {"strategy": "pray"}}"#,
            #"{"type": "event", "timestamp": "2025-11-11T19:05:03", "event_type": "recovery_attempt", "data": {}}"#,
        ]
        let conversion = SeedLines.convert(SeedLines.parse(lines).0)
        #expect(conversion.events.map(\.type.rawValue) == ["execution_started", "recovery_attempted", "retry", "seed.checkpoint"])
        // The seed dated recovery attempts at the trace's start; kept, and no outcome is invented.
        #expect(conversion.events[1].timestampMicros == conversion.events[0].timestampMicros)
        #expect(conversion.events[1].payload == EventPayload(strategy: "retry"))
        #expect(conversion.events[3].payload == EventPayload(durationMs: 5))
        #expect(conversion.notes[.customEventType] == 1)
        #expect(conversion.issues.map(\.reason) == [.unknownEventType, .invalidValue, .invalidValue, .missingField])
        #expect(conversion.issues.map(\.location.line) == [5, 6, 7, 8])
    }

    @Test func missingFieldsOfTypedEvents() {
        let lines = [
            SeedLines.header,
            #"{"type": "event", "timestamp": "2025-11-11T19:05:02", "event_type": "phase_start", "phase_name": null, "data": {}}"#,
            #"{"type": "event", "timestamp": "2025-11-11T19:05:02", "event_type": "phase_end", "data": {}}"#,
            #"{"type": "event", "timestamp": "2025-11-11T19:05:02", "event_type": "tool_call", "data": {"tool": ""}, "duration_ms": 3}"#,
            #"{"type": "event", "timestamp": "2025-11-11T19:05:02", "event_type": "tool_call", "data": {"tool": "x"}, "duration_ms": null}"#,
            #"{"type": "event", "timestamp": "2025-11-11T19:05:02", "event_type": "tool_call", "data": {"tool": "x"}, "duration_ms": -1}"#,
            #"{"type": "event", "timestamp": "2025-11-11T19:05:02", "event_type": "error", "data": {"message": "m"}}"#,
            #"{"type": "event", "timestamp": "2025-11-11T19:05:02", "event_type": "error", "data": {"error_type": "E"}}"#,
            #"{"type": "event", "timestamp": "yesterday", "event_type": "retry", "data": {}}"#,
            #"{"type": "trace_end", "end_time": "2025-11-11T19:05:06", "status": "running", "final_result": null}"#,
            #"{"type": "trace_end", "end_time": "soon", "status": "completed", "final_result": null}"#,
        ]
        let conversion = SeedLines.convert(SeedLines.parse(lines).0)
        #expect(conversion.events.map(\.type) == [.executionStarted])
        #expect(conversion.issues.map(\.reason) == [
            .missingField, .missingField, .missingField, .missingField, .invalidValue, .missingField, .missingField,
            .invalidTimestamp, .invalidValue, .invalidTimestamp,
        ])
    }

    @Test(arguments: [
        ("2025-11-11T19:05:01.123456", "2025-11-11T19:05:01.123456Z"),
        ("2025-11-11T19:05:01", "2025-11-11T19:05:01Z"),
        ("2025-11-11 19:05:01.5", "2025-11-11T19:05:01.5Z"),
        ("2025-11-11T19:05:01Z", "2025-11-11T19:05:01Z"),
        ("2025-11-11T21:05:01+02:00", "2025-11-11T19:05:01Z"),
    ])
    func seedTimestampsAreNaiveUTC(seed: String, wire: String) {
        #expect(SeedTimestamp.micros(seed) == SeedLines.micros(wire))
    }

    @Test(arguments: ["", "2025-11-11", "2025-02-30T10:00:00", "2025-11-11T19:05:01.1234567", "11/11/2025 19:05", "2025-11-11t19:05:01"])
    func notSeedTimestamps(text: String) {
        #expect(SeedTimestamp.micros(text) == nil)
    }

    @Test func timestampsTheTrackerWouldRejectAreSkippedWithTheWireReason() {
        let lines = [
            SeedLines.header,
            #"{"type": "event", "timestamp": "1999-12-31T23:59:59", "event_type": "retry", "phase_name": "p", "data": {}}"#,
            #"{"type": "event", "timestamp": "2099-01-01T00:00:00", "event_type": "retry", "phase_name": "p", "data": {}}"#,
        ]
        let conversion = SeedLines.convert(SeedLines.parse(lines).0)
        #expect(conversion.issues.map(\.reason.rawValue) == ["timestamp_out_of_range", "timestamp_out_of_range"])
        #expect(conversion.events.count == 1)
    }

    @Test func namesOverTheWireLimitsAreSkippedAndFreeTextIsShortened() throws {
        let longGoal = String(repeating: "é", count: 3000)  // 6000 bytes
        let header = SeedLines.header.replacingOccurrences(of: "Clean the sales data", with: longGoal + "\\u0000")
        let longPhase = String(repeating: "p", count: 257)
        let lines = [
            header,
            #"{"type": "event", "timestamp": "2025-11-11T19:05:02", "event_type": "phase_start", "phase_name": "\#(longPhase)", "data": {}}"#,
            #"{"type": "event", "timestamp": "2025-11-11T19:05:02", "event_type": "phase_start", "phase_name": "a\u0007b", "data": {}}"#,
        ]
        let conversion = SeedLines.convert(SeedLines.parse(lines).0)
        let goal = try #require(conversion.events.first?.payload.goal)
        #expect(goal.utf8.count == 4096)
        #expect(goal == String(repeating: "é", count: 2048))
        #expect(conversion.notes[.textShortened] == 1)
        #expect(conversion.issues.map(\.reason.rawValue) == ["string_too_long", "invalid_value"])
    }

    @Test func invalidDomainsAndAgentIDsFallBack() throws {
        let header = SeedLines.header
            .replacingOccurrences(of: "data-processing", with: String(repeating: "d", count: 129))
            .replacingOccurrences(of: SeedLines.bundleID, with: "")
        let conversion = SeedLines.convert(SeedLines.parse([header]).0)
        #expect(conversion.events.first?.domain == "unknown")
        #expect(conversion.events.first?.payload.agentID == nil)
        #expect(conversion.notes == [.domainDefaulted: 1, .valueDropped: 1])
        let custom = SeedConverter(configuration: .init(fallbackDomain: "legacy")).convert(SeedLines.parse([header]).0!, now: SeedLines.now)
        #expect(custom.events.first?.domain == "legacy")
    }
}

@Suite struct DeterministicIDTests {
    @Test func version5MatchesPython() {
        // uuid.uuid5(uuid.NAMESPACE_DNS, "python.org")
        let dns = UUID(uuidString: "6ba7b810-9dad-11d1-80b4-00c04fd430c8")!
        #expect(NameBasedUUID.v5("python.org", namespace: dns) == UUID(uuidString: "886313e1-3b8a-5372-9b90-0c9aee199e5d"))
    }

    @Test func aSecondConversionGivesTheSameEvents() {
        let lines = [SeedLines.header, SeedLines.phaseStart, SeedLines.tool, SeedLines.error, SeedLines.phaseEnd, SeedLines.footer]
        let first = SeedLines.convert(SeedLines.parse(lines).0)
        let second = SeedLines.convert(SeedLines.parse(lines).0)
        #expect(first.events == second.events)
        #expect(Set(first.events.map(\.eventID)).count == first.events.count)
    }

    @Test func executionIDsThatAreNoUUIDsMapDeterministically() {
        let a = SeedConverter.executionID("run-42")
        #expect(a.derived)
        #expect(a.id == SeedConverter.executionID("run-42").id)
        #expect(a.id != SeedConverter.executionID("run-43").id)
        #expect(SeedConverter.executionID("00000000-0000-0000-0000-000000000000").derived)
        let upper = SeedConverter.executionID(SeedLines.executionID.uppercased())
        #expect(!upper.derived && upper.id == UUID(uuidString: SeedLines.executionID))
        let conversion = SeedLines.convert(SeedExecution(executionID: "run-42", domain: "d", startTime: "2025-11-11T19:05:01",
                                                         startLocation: SourceLocation(path: "db", row: "executions#1")))
        #expect(conversion.executionID == a.id)
        #expect(conversion.notes[.executionIDMapped] == 1)
    }

    @Test func theSameEventAgainInOneExecutionIsOneEvent() {
        let (execution, _) = SeedLines.parse([SeedLines.header, SeedLines.tool, SeedLines.tool, SeedLines.phaseStart])
        let conversion = SeedLines.convert(execution)
        #expect(conversion.events.map(\.type) == [.executionStarted, .toolUsed, .phaseStarted])
        #expect(conversion.issues.map(\.reason) == [.duplicateEvent])
        #expect(conversion.issues.first?.location.line == 3)
    }
}

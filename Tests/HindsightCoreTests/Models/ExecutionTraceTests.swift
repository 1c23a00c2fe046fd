import Foundation
import Testing
@testable import HindsightCore

/// The seed's tracker and database tests that concern the trace model itself (the rest live in the
/// agent and storage layers, see docs/seed-differences.md).
@Suite("ExecutionTrace behaviour (seed tracker/database tests)")
struct ExecutionTraceTests {
    func emptyTrace() throws -> ExecutionTrace {
        try ExecutionTrace(executionID: Fixtures.id(1), agentBundleID: Fixtures.id(2), goal: Fixtures.goal(), startTime: Fixtures.epoch)
    }

    @Test func initialization() throws {
        let trace = try emptyTrace()
        #expect(trace.agentBundleID == Fixtures.id(2) && trace.status == .running && trace.events.isEmpty)
        #expect(trace.domain == "testing")
    }

    @Test func phaseToolAndErrorEvents() throws {
        var trace = try emptyTrace()
        trace.record(.phaseStart("test_phase", at: Fixtures.epoch))
        trace.record(.toolCall("bash", at: Fixtures.epoch.adding(seconds: 1), durationMs: 50))
        trace.record(.error(type: "test_error", message: "Something went wrong", at: Fixtures.epoch.adding(seconds: 2), phase: "test_phase", fatal: true))
        trace.record(.phaseEnd("test_phase", at: Fixtures.epoch.adding(seconds: 3), success: true, error: ""))
        let phaseEvents = trace.events(forPhase: "test_phase")
        #expect(phaseEvents.map(\.kind) == [.phaseStart, .error, .phaseEnd])
        #expect(phaseEvents.last?.success == true && phaseEvents.last?.message == nil)
        #expect(trace.events.filter { $0.kind == .toolCall }.first?.tool == "bash")
        #expect(trace.events.filter { $0.kind == .error }.first?.fatal == true)
    }

    @Test func completeSetsEndStatusAndDuration() throws {
        var trace = try emptyTrace()
        try trace.complete(at: Fixtures.epoch.adding(seconds: 2.5), status: .completed, result: "Test result")
        #expect(trace.status == .completed && trace.finalResult == "Test result" && trace.isComplete)
        #expect(trace.durationSeconds == 2.5)
    }

    /// Seed bug: storing a trace twice duplicated its events. Consolidation keeps one copy.
    @Test func mergingEventsIsIdempotentAndOrderIndependent() throws {
        var trace = try emptyTrace()
        let start = try ExecutionEvent(id: Fixtures.id(10), timestamp: Fixtures.epoch, kind: .phaseStart, phaseName: "p")
        let end = try ExecutionEvent(id: Fixtures.id(11), timestamp: Fixtures.epoch.adding(seconds: 5), kind: .phaseEnd, phaseName: "p", success: true)
        trace.mergeEvents([end, start])
        trace.mergeEvents([start, end])
        #expect(trace.events == [start, end])
        var other = try emptyTrace()
        other.mergeEvents([start])
        other.mergeEvents([end, end])
        #expect(other.events == trace.events)
    }

    /// Seed test_domain_statistics (completed count 0 instead of None when empty).
    @Test func domainStatistics() {
        let traces = (0..<3).map { Fixtures.trace($0, phases: [("p", 60)], status: $0 < 2 ? .completed : .failed) }
            + [Fixtures.trace(9, domain: "other", phases: [("p", 1)])]
        let stats = DomainStatistics(domain: "testing", traces: traces)
        #expect(stats.totalExecutions == 3 && stats.completedCount == 2)
        #expect(abs(stats.successRate - 2.0 / 3) < 1e-12 && stats.averageDurationSeconds == 60)
        let none = DomainStatistics(domain: "nothing", traces: traces)
        #expect(none.totalExecutions == 0 && none.completedCount == 0 && none.successRate == 0)
        let recent = DomainStatistics(domain: "testing", traces: traces, since: Fixtures.epoch.adding(seconds: 1))
        #expect(recent.totalExecutions == 0)
    }
}

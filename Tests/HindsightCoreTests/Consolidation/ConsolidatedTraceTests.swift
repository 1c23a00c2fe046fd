import Foundation
import Testing
@testable import HindsightCore

/// A trace rebuilt from consolidated rows (what the analyzer reads from PostgreSQL) must analyse exactly
/// like the trace rebuilt from the raw events of the same executions.
@Suite("ConsolidatedTrace → ExecutionTrace")
struct ConsolidatedTraceTests {
    let analyzer = PerformanceAnalyzer(minimumSampleSize: 5)

    @Test func generatedDomainsAnalyseIdentically() throws {
        let events = ConsolidationFixtures.fleet(executions: 240, seed: 42)
        let raw = ConsolidationFixtures.rawTraces(events)
        let rebuilt = ConsolidationFixtures.consolidatedTraces(events).compactMap(ExecutionTrace.init(consolidated:))
        #expect(raw.count == rebuilt.count)
        #expect(raw.map(\.executionID) == rebuilt.map(\.executionID))
        for domain in ConsolidationFixtures.domains {
            let expected = analyzer.analyze(raw, domain: domain)
            let actual = analyzer.analyze(rebuilt, domain: domain)
            #expect(expected.sampleSize > 0)
            #expect(actual == expected, "domain \(domain)")
        }
    }

    @Test func tinyDomainsAndPlanlessExecutionsAnalyseIdentically() throws {
        for count in [1, 2, 3] {
            let events = ConsolidationFixtures.fleet(executions: count, seed: UInt64(count), planless: true)
            let raw = ConsolidationFixtures.rawTraces(events)
            let rebuilt = ConsolidationFixtures.consolidatedTraces(events).compactMap(ExecutionTrace.init(consolidated:))
            for domain in ConsolidationFixtures.domains {
                #expect(analyzer.analyze(rebuilt, domain: domain) == analyzer.analyze(raw, domain: domain))
            }
        }
    }

    @Test func restartsRetriesAndTiesKeepTheirMeaning() throws {
        let id = UUID()
        var b = ConsolidationFixtures.Builder(executionID: id, domain: "ties", start: 1_000_000_000)
        b.start(plan: ["a", "b", "c"])
        // a and b start in the same microsecond: the agent's order (seq) decides.
        b.phaseStart("a", at: 10, estimate: 1.5)
        b.phaseStart("b", at: 10, estimate: 30)
        b.error("Timeout after 30 s", phase: "a", at: 20)
        b.phaseEnd("a", at: 25, success: false)
        b.phaseStart("a", at: 30, estimate: 1.5)
        b.retry("a", at: 31)
        b.phaseEnd("a", at: 2_000_040, success: true)
        b.error(nil, phase: nil, at: 50)
        b.tool("llm", at: 60)
        b.tool("llm", at: 61)
        b.tool("sql", at: 62)
        b.phaseEnd("b", at: 70_000_000)
        b.phaseStart("c", at: 80, estimate: nil)
        b.complete("completed", at: 90_000_000)
        let events = b.events
        let raw = try #require(ExecutionTrace.fromWireEvents(events))
        let consolidated = try #require(ConsolidationFixtures.consolidatedTraces(events).first)
        #expect(consolidated.startOrder == ["a", "b", "c"])
        #expect(consolidated.phases.first { $0.name == "a" }?.startCount == 2)
        let rebuilt = try #require(ExecutionTrace(consolidated: consolidated))
        #expect(analyzer.analyze([rebuilt], domain: "ties") == analyzer.analyze([raw], domain: "ties"))
        #expect(MetricsCollector.collect(rebuilt).apiCalls == MetricsCollector.collect(raw).apiCalls)
        let statistics = try #require(analyzer.analyze([rebuilt], domain: "ties").statistics(forPhase: "a"))
        #expect(statistics.retryCount == 1)
    }

    @Test func abandonedCountsAsFailedAndUnstartedIsSkipped() throws {
        var row = ConsolidatedTrace(executionID: UUID(), domain: "d", status: "abandoned", startedAtMicros: 5)
        #expect(ExecutionTrace(consolidated: row)?.status == .failed)
        #expect(ExecutionTrace(consolidated: row)?.endTime == nil)
        row.startedAtMicros = nil
        #expect(ExecutionTrace(consolidated: row) == nil)
    }

    @Test func anEndBeforeTheStartIsClampedLikeTheRawRebuild() throws {
        let row = ConsolidatedTrace(
            executionID: UUID(), domain: "d", status: "completed", startedAtMicros: 100, endedAtMicros: 50)
        #expect(ExecutionTrace(consolidated: row)?.durationSeconds == 0)
    }

    @Test func rebuiltEstimatesParseBackExactly() throws {
        for seconds in [0.25, 1.0, 45.5, 60, 90, 3600, 5400, 7325.125] {
            let plan = try #require(ExecutionPlan.rebuilt(
                executionID: UUID(), phaseNames: ["p"], estimatedSeconds: { _ in seconds },
                createdAt: Timestamp(microsecondsSinceEpoch: 0)))
            #expect(plan.phases[0].estimatedSeconds == seconds)
        }
        let invalid = ExecutionPlan.rebuilt(
            executionID: UUID(), phaseNames: ["p", "p"], estimatedSeconds: { _ in nil }, createdAt: Timestamp(microsecondsSinceEpoch: 0))
        #expect(invalid == nil)
    }
}

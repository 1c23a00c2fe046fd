import Foundation
import HindsightCore
import HindsightStore
import HindsightTesting
import PostgresNIO
import Testing

/// A phase's outcome is its latest completion (highest seq) in the SQL rows, in the consolidation oracle
/// and in the learning core alike: a phase that failed, was retried and then succeeded is succeeded.
@Suite("Store: phase outcome", .serialized)
struct PhaseOutcomeTests {
    typealias S = StoreTestSupport

    /// One execution whose `fetch` phase fails (seq 2), is retried, and succeeds (seq 5).
    static func retriedExecution() -> [WireEvent] {
        let execution = UUID()
        let start = WireFormat.currentMicros() - 600_000_000
        func event(_ seq: Int64, _ type: EventType, phase: String? = nil, _ payload: EventPayload = EventPayload()) -> WireEvent {
            WireEvent(eventID: UUID(), executionID: execution, seq: seq, timestampMicros: start + seq * 1_000_000,
                      type: type, domain: "phase-outcome-tests", phase: phase, payload: payload)
        }
        return [
            event(0, .executionStarted, EventPayload(goal: "fetch and report", plan: ["fetch"])),
            event(1, .phaseStarted, phase: "fetch", EventPayload(estimatedDurationSeconds: 2)),
            event(2, .phaseCompleted, phase: "fetch", EventPayload(success: false, error: "upstream timed out")),
            event(3, .retry, phase: "fetch"),
            event(4, .phaseStarted, phase: "fetch", EventPayload(estimatedDurationSeconds: 2)),
            event(5, .phaseCompleted, phase: "fetch", EventPayload(success: true)),
            event(6, .executionCompleted, EventPayload(status: "completed")),
        ]
    }

    struct PhaseRow: Equatable {
        var success: Bool?
        var endSeq: Int32?
        var error: String?
    }

    static func phaseRow(_ execution: UUID, client: PostgresClient) async throws -> PhaseRow? {
        let rows = try await client.query(
            "SELECT success, end_seq, error FROM hindsight.phases WHERE execution_id = \(execution) AND phase = 'fetch'",
            logger: S.logger)
        var found: PhaseRow?
        for try await (success, endSeq, error) in rows.decode((Bool?, Int32?, String?).self) {
            found = PhaseRow(success: success, endSeq: endSeq, error: error)
        }
        return found
    }

    @Test("failed then retried and succeeded: succeeded in the core, in ConsolidatedState and in SQL, in any arrival order")
    func latestCompletionWins() async throws {
        let events = Self.retriedExecution()
        let execution = try #require(events.first?.executionID)
        let expected = PhaseRow(success: true, endSeq: 5, error: nil)

        // The learning core's analysis of the trace.
        let trace = try #require(ExecutionTrace.fromWireEvents(events))
        let metrics = MetricsCollector.phaseMetrics(of: trace)
        #expect(metrics.first { $0.phaseName == "fetch" }?.success == true)

        // The consolidation oracle, events folded one at a time in reverse order and all at once.
        var oneByOne = ConsolidatedState()
        for event in events.reversed() { oneByOne.apply(ConsolidationDelta(events: [event])) }
        for state in [oneByOne, ConsolidatedState(uniqueEvents: events)] {
            let phase = try #require(state.phases[ConsolidatedState.phaseKey(execution, "fetch")])
            #expect(phase.success == true && phase.endSeq == 5 && phase.error == nil)
        }

        try await S.withMigratedDatabase { url in
            try await S.withClient(url) { client in
                let writer = ConsolidationWriter(client: client, logger: S.logger)
                // The success arrives first, the failure later: the failure must not overwrite it.
                _ = try await writer.write([events[0], events[4], events[5], events[6]])
                #expect(try await Self.phaseRow(execution, client: client) == expected)
                _ = try await writer.write([events[1], events[2], events[3]])
                #expect(try await Self.phaseRow(execution, client: client) == expected)
            }
        }
        try await S.withMigratedDatabase { url in
            try await S.withClient(url) { client in
                // In delivery order, one batch per event.
                let writer = ConsolidationWriter(client: client, logger: S.logger)
                for event in events { _ = try await writer.write([event]) }
                #expect(try await Self.phaseRow(execution, client: client) == expected)
            }
        }
    }

    @Test("migration 0052 recomputes a row written under the first-completion rule from the stored events")
    func migrationRecomputesOldRows() async throws {
        let events = Self.retriedExecution()
        let execution = try #require(events.first?.executionID)
        try await S.withMigratedDatabase { url in
            try await S.withClient(url) { client in
                _ = try await ConsolidationWriter(client: client, logger: S.logger).write(events)
                // What the tracker wrote before 0052: the first completion.
                try await client.query(
                    "UPDATE hindsight.phases SET success = false, end_seq = 2, error = 'upstream timed out' WHERE execution_id = \(execution)",
                    logger: S.logger)
                #expect(try await Self.phaseRow(execution, client: client)?.success == false)

                let migrator = try Migrator(client: client, logger: S.logger)
                let migration = try #require(migrator.migrations.first { $0.version == 52 })
                for statement in migration.statements {
                    try await client.query(PostgresQuery(unsafeSQL: statement), logger: S.logger)
                }
                #expect(try await Self.phaseRow(execution, client: client) == PhaseRow(success: true, endSeq: 5, error: nil))
            }
        }
    }
}

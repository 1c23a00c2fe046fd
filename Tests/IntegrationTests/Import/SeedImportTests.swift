import AMQP
import Foundation
import HindsightAgent
import HindsightCore
import HindsightImport
import HindsightStore
import HindsightTesting
import Logging
import PostgresNIO
import Testing

/// `hindsight import` end to end: seed files → `SeedImporter` → `EventPublisher` (confirms) → a private
/// exchange → a tracker → a scratch database, compared with the same history published live.
@Suite(.serialized) struct SeedImportTests {
    @Test func importEqualsLivePublishingAndASecondImportChangesNothing() async throws {
        let history = SeedHistoryFixture.sample(now: WireFormat.currentMicros())
        let live = history.liveEvents
        let ids = history.executions.map(\.id)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("seed-import-\(UUID())")
        let traces = directory.appendingPathComponent("traces")
        try FileManager.default.createDirectory(at: traces, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try history.writeJSONL(to: traces)
        let database = directory.appendingPathComponent("execution_history.db").path
        try await history.writeSQLite(to: database)

        // Live: the Swift agent publishes the history.
        let liveRows = try await Self.withPipeline { pipeline in
            try await pipeline.publisher.publish(live)
            try await pipeline.harness.waitForEvents(live.count, of: ids)
        }

        // Import: the database (it alone has the recovery attempts), then the JSONL files (same event ids).
        let sources = try SeedSource.discover([database, traces.path])
        #expect(sources.map(\.kind) == [.sqlite] + Array(repeating: .jsonl, count: history.executions.count))
        try await Self.withPipeline(tracking: false) { pipeline in
            let importer = SeedImporter(publish: { _ = try await pipeline.publisher.publish($0) })
            let summary = try await importer.run(sources)
            #expect(summary.executions == history.executions.count)
            #expect(summary.databases == 1 && summary.jsonlFiles == history.executions.count)
            // The execution stored twice: its events again, recognised as duplicates.
            let twice = history.executions.first { $0.storedTwice }?.steps.count ?? 0
            #expect(summary.skipped.mapValues(\.count) == ["duplicate_event": twice])
            #expect(summary.events + summary.alsoInOtherSource - live.count == live.count - history.recoveryCount)
            #expect(summary.notes == ["domain_defaulted": 2])  // once from the database, once from the file
            try await pipeline.drain()
            let imported = try await pipeline.rows(ids, withEventIDs: false)
            #expect(imported == liveRows.withoutEventIDs)
            #expect(try await pipeline.harness.countEvents(of: ids) == live.count)

            // Again, while no tracker runs (so the queue holds every message), then drain it.
            let before = try await pipeline.rows(ids, withEventIDs: true)
            let again = try await SeedImporter(publish: { _ = try await pipeline.publisher.publish($0) }).run(sources)
            #expect(again.events == summary.events)
            #expect(try await pipeline.harness.connection.inspectQueue(pipeline.harness.queue).messageCount > 0)
            try await pipeline.drain()
            #expect(try await pipeline.rows(ids, withEventIDs: true) == before)
            #expect(try await pipeline.harness.countEvents(of: ids) == live.count)
        }

        // The JSONL files alone: the same executions, without the recovery attempts they never held.
        let jsonlRows = try await Self.withPipeline { pipeline in
            let summary = try await SeedImporter(publish: { _ = try await pipeline.publisher.publish($0) })
                .run(try SeedSource.discover([traces.path]))
            #expect(summary.skipped.isEmpty)
            #expect(summary.events == live.count - history.recoveryCount)
            try await pipeline.harness.waitForEvents(live.count - history.recoveryCount, of: ids)
        }
        #expect(jsonlRows.tool == liveRows.tool)
        #expect(jsonlRows.withoutEventIDs.errors == liveRows.withoutEventIDs.errors)
        #expect(jsonlRows.recoveries.isEmpty)
        #expect(jsonlRows.executionSummary == liveRows.executionSummary)
    }

    // MARK: Pipeline

    struct Rows: Equatable {
        var executions: [String] = []
        var phases: [String] = []
        var tool: [String] = []
        var errors: [String] = []
        var recoveries: [String] = []
        var withoutEventIDs: Rows {
            var copy = self
            copy.executions = executions.map(Rows.dropUpdatedAt)
            copy.errors = errors.map(Rows.dropEventID)
            copy.recoveries = recoveries.map(Rows.dropEventID)
            return copy
        }
        /// Execution columns that do not depend on recovery attempts or sequence numbers.
        var executionSummary: [String] { executions.map { Rows.dropUpdatedAt($0).replacingOccurrences(of: #""(event_count|recovery_count|status_seq)": \d+, "#, with: "", options: .regularExpression) } }
        static func dropUpdatedAt(_ row: String) -> String {
            row.replacingOccurrences(of: #""updated_at": "[^"]*", "#, with: "", options: .regularExpression)
        }
        static func dropEventID(_ row: String) -> String {
            row.replacingOccurrences(of: #""event_id": "[0-9a-f-]+", "#, with: "", options: .regularExpression)
        }
    }

    struct Pipeline {
        let harness: TrackerHarness
        let publisher: EventPublisher
        let exchange: String

        /// The consolidated rows of `ids`, as sorted JSON texts (`updated_at` included: an update would show).
        func rows(_ ids: [UUID], withEventIDs: Bool) async throws -> Rows {
            try await StoreTestSupport.withClient(harness.database) { client in
                var rows = Rows()
                func read(_ table: String) async throws -> [String] {
                    let query = PostgresQuery(unsafeSQL: """
                        SELECT to_jsonb(t)::text FROM hindsight.\(table) t WHERE execution_id = ANY($1) ORDER BY 1
                        """, binds: { var b = PostgresBindings(); b.append(ids); return b }())
                    var texts: [String] = []
                    for try await (text) in try await client.query(query, logger: harness.logger).decode(String.self) {
                        texts.append(text)
                    }
                    return texts
                }
                rows.executions = try await read("executions")
                rows.phases = try await read("phases")
                rows.tool = try await read("tool_usage")
                rows.errors = try await read("errors")
                rows.recoveries = try await read("recovery_attempts")
                return withEventIDs ? rows : rows.withoutEventIDs
            }
        }

        /// Runs trackers until the queue is empty and nothing is left unacknowledged.
        func drain() async throws {
            while true {
                try await harness.withTrackers {
                    while try await harness.connection.inspectQueue(harness.queue).messageCount > 0 {
                        try await Task.sleep(for: .milliseconds(100))
                    }
                }
                // A graceful stop commits and acknowledges what it holds; prefetched rest comes back.
                if try await harness.connection.inspectQueue(harness.queue).messageCount == 0 { return }
            }
        }
    }

    /// A scratch database with a tracker on a private queue fed by a private exchange; `body` runs with
    /// the tracker running when `tracking`. Returns the consolidated rows (with event ids) afterwards.
    @discardableResult
    static func withPipeline(
        tracking: Bool = true, _ body: @escaping @Sendable (Pipeline) async throws -> Void
    ) async throws -> Rows {
        try await StoreTestSupport.withMigratedDatabase { url in
            let harness = try await TrackerHarness(database: url, captureDeadLetters: false, migrate: false)
            let exchange = "hindsight.test-import.\(UUID().uuidString.prefix(8).lowercased())"
            do {
                try await harness.connection.declareExchange(exchange, type: .topic, durable: false)
                try await harness.connection.bindQueue(harness.queue, exchange: exchange, routingKey: "#")
                let publisher = EventPublisher(
                    connection: harness.connection, configuration: try .init(exchange: exchange), logger: harness.logger)
                let pipeline = Pipeline(harness: harness, publisher: publisher, exchange: exchange)
                if tracking {
                    try await harness.withTrackers { try await body(pipeline) }
                } else {
                    try await body(pipeline)
                }
                let ids = try await Self.executionIDs(url)
                let rows = try await pipeline.rows(ids, withEventIDs: true)
                try? await harness.connection.deleteExchange(exchange)
                await harness.cleanUp()
                return rows
            } catch {
                try? await harness.connection.deleteExchange(exchange)
                await harness.cleanUp()
                throw error
            }
        }
    }

    static func executionIDs(_ url: DatabaseURL) async throws -> [UUID] {
        try await StoreTestSupport.withClient(url) { client in
            var ids: [UUID] = []
            for try await id in try await client.query("SELECT execution_id FROM hindsight.executions", logger: Logger(label: "t")).decode(UUID.self) {
                ids.append(id)
            }
            return ids
        }
    }
}

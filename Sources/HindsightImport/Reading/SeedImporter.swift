public import HindsightCore
public import Logging
import Foundation

/// Reads seed sources, converts them (``SeedConverter``) and hands the events to a publisher in
/// batches — in the CLI the agent library's `EventPublisher` with confirms, so imported history takes
/// the live path: broker → tracker → PostgreSQL.
///
/// ```swift
/// let importer = SeedImporter(publish: { events in try await publisher.publish(events) })
/// let summary = try await importer.run(try SeedSource.discover(["traces/", "execution_history.db"]))
/// print(summary.text)
/// ```
public struct SeedImporter: Sendable {
    /// Publishes events in order; throws to stop the import.
    public typealias Publish = @Sendable ([WireEvent]) async throws -> Void

    /// The converter.
    public var converter: SeedConverter
    /// Events handed to ``publish`` per call.
    public var eventsPerPublish: Int
    /// Where events go; nil for a dry run.
    public var publish: Publish?
    /// Called after each file and each page of database executions.
    public var progress: @Sendable (ImportProgress) -> Void
    /// The logger (SQLite).
    public var logger: Logger

    /// Creates an importer.
    ///
    /// - Parameters:
    ///   - converter: The converter. Defaults to the default configuration.
    ///   - eventsPerPublish: Events per publish call, 1…100 000. Defaults to 1000.
    ///   - publish: Where events go; nil converts and counts without publishing.
    ///   - progress: Progress callback. Defaults to none.
    ///   - logger: The logger. Defaults to one labelled `hindsight.import`.
    public init(
        converter: SeedConverter = .init(), eventsPerPublish: Int = 1000, publish: Publish?,
        progress: @escaping @Sendable (ImportProgress) -> Void = { _ in }, logger: Logger = Logger(label: "hindsight.import")
    ) {
        self.converter = converter
        self.eventsPerPublish = min(max(eventsPerPublish, 1), 100_000)
        self.publish = publish
        self.progress = progress
        self.logger = logger
    }

    /// Imports the sources in order.
    ///
    /// - Parameter sources: From ``SeedSource/discover(_:)``.
    /// - Returns: The summary.
    /// - Throws: ``ImportError`` when a file cannot be read or publishing fails; what was published
    ///   before stays published (a re-run is idempotent).
    public func run(_ sources: [SeedSource]) async throws(ImportError) -> ImportSummary {
        var state = RunState(summary: ImportSummary())
        state.summary.dryRun = publish == nil
        var databases: [String: SeedDatabaseReader] = [:]
        defer {
            let opened = Array(databases.values)
            Task { for reader in opened { await reader.close() } }
        }
        var total = 0
        for source in sources {
            switch source.kind {
            case .jsonl: total += 1
            case .sqlite:
                let reader = try await SeedDatabaseReader.open(source.path, logger: logger)
                databases[source.path] = reader
                total += try await reader.executionCount()
            }
        }
        state.total = total
        for source in sources {
            state.path = source.path
            switch source.kind {
            case .jsonl:
                state.summary.jsonlFiles += 1
                let (execution, issues) = SeedJSONL.parse(try Self.readLines(source.path), path: source.path)
                issues.forEach { state.summary.record($0) }
                if let execution { try await add(execution, to: &state) }
                state.done += 1
                try await flushIfFull(&state)
                report(state)
            case .sqlite:
                guard let reader = databases[source.path] else { continue }
                state.summary.databases += 1
                try await reader.forEachPage { (page) throws(ImportError) in
                    for (execution, issues) in page {
                        issues.forEach { state.summary.record($0) }
                        if let execution { try await add(execution, to: &state) }
                        state.done += 1
                    }
                    try await flushIfFull(&state)
                    report(state)
                }
                for issue in try await reader.orphans() { state.summary.record(issue) }
                await reader.close()
                databases[source.path] = nil
            }
        }
        try await flush(&state)
        state.summary.executions = state.executions.count
        report(state)
        return state.summary
    }

    private struct RunState {
        var summary: ImportSummary
        var pending: [WireEvent] = []
        var executions: Set<UUID> = []
        var eventIDs: Set<UUID> = []
        var done = 0
        var total = 0
        var path = ""
    }

    private func add(_ execution: SeedExecution, to state: inout RunState) async throws(ImportError) {
        let conversion = converter.convert(execution, now: WireFormat.currentMicros())
        conversion.issues.forEach { state.summary.record($0) }
        state.summary.record(conversion.notes)
        // The JSONL file and the database of one history hold the same events (same ids): the first
        // source read wins, and one publish call never carries an id twice.
        let fresh = conversion.events.filter { state.eventIDs.insert($0.eventID).inserted }
        state.summary.alsoInOtherSource += conversion.events.count - fresh.count
        guard !conversion.events.isEmpty else { return }
        state.executions.insert(conversion.executionID)
        state.pending.append(contentsOf: fresh)
    }

    private func flushIfFull(_ state: inout RunState) async throws(ImportError) {
        if state.pending.count >= eventsPerPublish { try await flush(&state) }
    }

    private func flush(_ state: inout RunState) async throws(ImportError) {
        while !state.pending.isEmpty {
            let batch = Array(state.pending.prefix(eventsPerPublish))
            if let publish {
                do {
                    try await publish(batch)
                } catch {
                    throw ImportError(.publishFailed, "\(error)")
                }
            }
            state.summary.events += batch.count
            state.pending.removeFirst(batch.count)
        }
    }

    private func report(_ state: RunState) {
        progress(ImportProgress(
            done: state.done, total: state.total, events: state.summary.events + state.pending.count,
            skipped: state.summary.skippedCount, path: state.path))
    }

    /// The file's lines (at most ``SeedJSONL/maxLineBytes`` each; longer ones are marked too long).
    static func readLines(_ path: String) throws(ImportError) -> [LineSplitter.Line] {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw ImportError(.unreadable, path: path, "cannot open for reading")
        }
        defer { try? handle.close() }
        var splitter = LineSplitter(maxLineBytes: SeedJSONL.maxLineBytes)
        var lines: [LineSplitter.Line] = []
        while true {
            let chunk: Data?
            do {
                chunk = try handle.read(upToCount: 1 << 16)
            } catch {
                throw ImportError(.unreadable, path: path, "read failed")
            }
            guard let chunk, !chunk.isEmpty else { break }
            lines.append(contentsOf: splitter.feed(chunk))
        }
        if let last = splitter.finish() { lines.append(last) }
        return lines
    }
}

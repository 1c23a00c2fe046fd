import ArgumentParser
import Foundation
import HindsightCore
import HindsightStore
import HindsightTesting
import Logging
import PostgresNIO

/// `hindsight-bench storage`: bytes per execution with its raw events, and after retention dropped them.
///
/// Stores `--executions` simulated executions through the tracker's writer into a fresh scratch
/// database (dropped and recreated), spread over `--days` UTC days ending `--age-days` ago, refreshes
/// the daily rollups as the analyzer does, and measures `pg_total_relation_size` (heap, TOAST, indexes)
/// of every table of the `hindsight` schema after a `VACUUM`. Then one retention pass (raw window
/// `--raw-days`, consolidated window 365 days) drops the raw partitions, a `VACUUM` follows, and the
/// same figures are taken again: what an execution costs once its raw events aged out, and what the
/// kept daily rollups cost per domain-day.
struct BenchStorage: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "storage",
        abstract: "Measure bytes per execution as ingested and after retention dropped the raw events, and rollup bytes per domain-day.")

    @OptionGroup var connection: BenchConnectionOptions

    @Option(help: "Executions to store.")
    var executions: Int = 20_000

    @Option(help: "UTC days the executions are spread over.")
    var days: Int = 30

    @Option(help: "Age in days of the newest executions (older than --raw-days, so retention drops their raw events).")
    var ageDays: Int = 40

    @Option(help: "Raw window of the retention pass, in days.")
    var rawDays: Int = 30

    @Option(help: "Scratch database (dropped and recreated).")
    var scratchDatabase: String = "hindsight_storage_bench"

    @Option(help: "Simulation seed.")
    var seed: UInt64 = 20_261_201

    @Flag(help: "Print one JSON object instead of tables.")
    var json = false

    /// One table's size.
    struct TableSize: Codable, Sendable {
        var table: String
        var bytes: Int
        var bytesPerExecution: Double
    }

    /// The figures of one measurement.
    struct Measurement: Codable, Sendable {
        var tables: [TableSize]
        var totalBytes: Int
        var bytesPerExecution: Double
    }

    struct Result: Codable, Sendable {
        var executions: Int
        var events: Int
        var domainDays: Int
        var withRawEvents: Measurement
        var afterRetention: Measurement
        var rollupBytes: Int
        var rollupBytesPerDomainDay: Double
        /// Bytes of the rollup rows themselves (pg_column_size), without page and index overhead.
        var rollupRowBytesPerDomainDay: Double
        var retention: RetentionRunner.Report
        var storeSeconds: Double
    }

    func validate() throws {
        guard executions >= 100 else { throw ValidationError("--executions must be at least 100") }
        guard (1...60).contains(days) else { throw ValidationError("--days must be 1…60") }
        guard rawDays >= 1, ageDays > rawDays + 1, ageDays + days <= 365 else {
            throw ValidationError("--age-days must exceed --raw-days + 1 and the executions must be younger than 365 days")
        }
        guard scratchDatabase.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }), scratchDatabase != "hindsight" else {
            throw ValidationError("--scratch-database must be a plain name other than hindsight")
        }
    }

    func run() async throws {
        var logger = Logger(label: "hindsight.bench.storage")
        logger.logLevel = .warning
        let owner = try connection.database()
        let scratch = owner.withDatabase(scratchDatabase)
        try await StoreConnection.withClient(owner, logger: logger) { client in
            // The name is checked in validate() (letters, digits, underscores).
            try await client.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(scratchDatabase) WITH (FORCE)"), logger: logger)
            try await client.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(scratchDatabase)"), logger: logger)
        }
        let (executions, days, ageDays, rawDays, seed) = (self.executions, self.days, self.ageDays, self.rawDays, self.seed)
        let result = try await StoreConnection.withClient(scratch, logger: logger) { client -> Result in
            try await Migrator(client: client, logger: logger).migrate()
            let storeStart = ContinuousClock.now
            let events = try await Self.store(executions, days: days, ageDays: ageDays, seed: seed, client: client, logger: logger)
            let storeSeconds = Self.seconds(ContinuousClock.now - storeStart)
            try await Self.refreshRollups(client, logger: logger)
            let domainDays = try await Self.integer(client, "SELECT count(*)::int8 FROM hindsight.domain_daily_stats", logger: logger)
            let before = try await Self.measure(client, executions: executions, logger: logger)

            var configuration = RetentionRunner.Configuration()
            configuration.rawDays = rawDays
            let report = try await RetentionRunner(configuration: configuration, client: client, logger: logger).runPass()
            let after = try await Self.measure(client, executions: executions, logger: logger)
            let rowBytes = try await Self.integer(client, """
                SELECT ((SELECT coalesce(sum(pg_column_size(t.*)), 0) FROM hindsight.domain_daily_stats t)
                      + (SELECT coalesce(sum(pg_column_size(t.*)), 0) FROM hindsight.phase_daily_stats t)
                      + (SELECT coalesce(sum(pg_column_size(t.*)), 0) FROM hindsight.domain_daily_durations t))::int8
                """, logger: logger)
            let rollupBytes = after.tables
                .filter { ["domain_daily_stats", "phase_daily_stats", "domain_daily_durations"].contains($0.table) }
                .map(\.bytes).reduce(0, +)
            return Result(
                executions: executions, events: events, domainDays: domainDays, withRawEvents: before, afterRetention: after,
                rollupBytes: rollupBytes, rollupBytesPerDomainDay: Double(rollupBytes) / Double(max(domainDays, 1)),
                rollupRowBytesPerDomainDay: Double(rowBytes) / Double(max(domainDays, 1)),
                retention: report, storeSeconds: storeSeconds)
        }
        if json {
            try printJSON(result)
        } else {
            Self.printResult(result)
        }
    }

    /// Stores the executions through the tracker's writer, 100 per transaction, evenly over the days.
    private static func store(
        _ count: Int, days: Int, ageDays: Int, seed: UInt64, client: PostgresClient, logger: Logger
    ) async throws -> Int {
        let writer = ConsolidationWriter(client: client, logger: logger)
        var simulator = FleetSimulator(seed: seed)
        let microsPerDay: Int64 = 86_400_000_000
        let now = WireFormat.currentMicros()
        let first = now - now % microsPerDay - Int64(ageDays + days - 1) * microsPerDay
        let spacing = Int64(days) * microsPerDay / Int64(count)
        var batch: [WireEvent] = []
        var events = 0
        for n in 0..<count {
            batch += simulator.execution(startingAt: first + Int64(n) * spacing)
            if batch.count >= 3000 || n == count - 1 {
                try await writer.write(batch)
                events += batch.count
                batch.removeAll(keepingCapacity: true)
            }
        }
        return events
    }

    /// The analyzer's rollup step for every domain: the change log folded into dirty days, then each
    /// domain's days recomputed (all of them are within the consolidated window).
    private static func refreshRollups(_ client: PostgresClient, logger: Logger) async throws {
        try await client.query("""
            WITH moved AS (DELETE FROM hindsight.domain_changes RETURNING domain, day)
            INSERT INTO hindsight.rollup_dirty_days (domain, day)
            SELECT DISTINCT domain, day FROM moved WHERE day IS NOT NULL ON CONFLICT DO NOTHING
            """, logger: logger)
        var domains: [String] = []
        for try await domain in try await client.query(
            "SELECT DISTINCT domain FROM hindsight.rollup_dirty_days ORDER BY 1", logger: logger).decode(String.self) {
            domains.append(domain)
        }
        for domain in domains {
            _ = try await client.withTransaction(logger: logger) { connection in
                try await DailyRollups.refresh(
                    domain: domain, oldestDay: DailyRollups.oldestDay(retainedDays: 365), on: connection, logger: logger)
            }
        }
    }

    /// VACUUM (so dead tuples of the upserts are reusable, as in a running system), then the size of
    /// every table of the schema; the daily partitions of events are summed into one line.
    private static func measure(_ client: PostgresClient, executions: Int, logger: Logger) async throws -> Measurement {
        try await client.query("VACUUM ANALYZE", logger: logger)
        let rows = try await client.query("""
            SELECT CASE WHEN c.relname ~ '^events_[0-9]{8}$'
                        THEN 'events (daily partitions)'
                        ELSE c.relname::text END,
                   pg_total_relation_size(c.oid)::int8
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'hindsight' AND c.relkind = 'r'
            """, logger: logger)
        var sizes: [String: Int] = [:]
        for try await (name, bytes) in rows.decode((String, Int).self) { sizes[name, default: 0] += bytes }
        let tables = sizes.map { TableSize(table: $0.key, bytes: $0.value, bytesPerExecution: Double($0.value) / Double(executions)) }
            .sorted { $0.bytes > $1.bytes }
        let total = tables.map(\.bytes).reduce(0, +)
        return Measurement(tables: tables, totalBytes: total, bytesPerExecution: Double(total) / Double(executions))
    }

    private static func integer(_ client: PostgresClient, _ query: PostgresQuery, logger: Logger) async throws -> Int {
        var value = 0
        for try await row in try await client.query(query, logger: logger).decode(Int.self) { value = row }
        return value
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    private static func printResult(_ result: Result) {
        func kib(_ bytes: Int) -> String { String(format: "%.1f KiB", Double(bytes) / 1024) }
        func perExecution(_ bytes: Double) -> String { String(format: "%.0f B", bytes) }
        print("\(result.executions) executions, \(result.events) events, \(result.domainDays) domain-days "
            + String(format: "(stored in %.1f s)", result.storeSeconds))
        let names = Set(result.withRawEvents.tables.map(\.table) + result.afterRetention.tables.map(\.table))
        let rows = names.sorted().compactMap { name -> [String]? in
            let before = result.withRawEvents.tables.first { $0.table == name }
            let after = result.afterRetention.tables.first { $0.table == name }
            guard (before?.bytes ?? 0) > 16_384 || (after?.bytes ?? 0) > 16_384 else { return nil }
            return [name, before.map { kib($0.bytes) } ?? "—", before.map { perExecution($0.bytesPerExecution) } ?? "—",
                    after.map { kib($0.bytes) } ?? "—", after.map { perExecution($0.bytesPerExecution) } ?? "—"]
        }
        printTable(["table (> 16 KiB)", "with raw events", "per execution", "after retention", "per execution"], rows + [[
            "total (every table)", kib(result.withRawEvents.totalBytes), perExecution(result.withRawEvents.bytesPerExecution),
            kib(result.afterRetention.totalBytes), perExecution(result.afterRetention.bytesPerExecution),
        ]])
        print("")
        print(String(format: "rollups (domain_daily_stats, phase_daily_stats, domain_daily_durations): %@ on disk, %.0f B per domain-day "
                     + "(rows alone: %.0f B per domain-day)",
                     kib(result.rollupBytes), result.rollupBytesPerDomainDay, result.rollupRowBytesPerDomainDay))
        print("retention: \(result.retention.partitionsDropped.count) partitions dropped, "
            + String(format: "%.0f ms", result.retention.totalMilliseconds))
    }
}

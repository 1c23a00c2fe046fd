import AMQP
import ArgumentParser
import Foundation
import HindsightStore
import Logging
import PostgresNIO

/// `hindsight-bench ingest`: how fast trackers drain a filled queue into PostgreSQL, next to the broker's
/// own consume+ack ceiling and two Python workers (per-message commits; 500 rows per COPY and
/// transaction), plus publish→commit lag under a steady load, tracker RSS and bytes stored per execution.
///
/// Like is compared with like: one tracker with one Python worker (one process) on the same kind of
/// messages, one tracker with one bare consumer; two-tracker runs are compared with one tracker only.
///
/// Everything is written to a scratch database (`--scratch-database`, created and migrated when missing,
/// its tables emptied at the start), never to the shared `hindsight` database. Each run uses a fresh
/// private quorum queue (the tracker queue's arguments, default exchange, routing key = queue name) and a
/// fresh simulation seed, so runs never deduplicate against each other. Trackers run in-process with
/// their own connections (one AMQP consume + publish connection and one PostgreSQL pool each); drain
/// time is measured from the first delivery to the commit that stores the last event, through the
/// tracker's benchmark probe. RSS is measured on a child `hindsight tracker` process (the `hindsight`
/// executable built next to `hindsight-bench`).
struct BenchIngest: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Measure tracker ingestion (drain, lag, RSS, bytes per execution) against Python baselines and the broker ceiling.")

    @OptionGroup var connection: BenchConnectionOptions

    @Option(help: "Events per drain run (single-event and batch runs, ceiling, batched baseline).")
    var events: Int = 200_000

    @Option(help: "Events of the per-message Python baseline (it commits ~1k/s).")
    var baselineEvents: Int = 20_000

    @Option(help: "Events per batch message.")
    var batchSize: Int = 100

    @Option(help: "Length of the steady-publish lag run, in seconds (0 skips it).")
    var lagSeconds: Int = 20

    @Option(help: "Scratch database (created and migrated when missing; emptied at start).")
    var scratchDatabase: String = "hindsight_ingest_bench"

    @Option(help: "Python interpreter for the baselines.")
    var python: String = "python3"

    @Option(help: "First simulation seed (each run adds its index).")
    var seed: UInt64 = 20_251_125

    @Flag(help: "Skip the Python baselines.")
    var skipBaselines = false

    @Flag(help: "Skip the child-process tracker (RSS) run.")
    var skipChild = false

    @Flag(help: "Skip VACUUM FULL before the compacted size figure.")
    var skipCompact = false

    @Option(help: "Drain runs, comma-separated, of single-1, single-2, batch-1, batch-2 (message kind - trackers).")
    var drains: String = "single-1,single-2,batch-1,batch-2"

    @Option(help: "Steady publish rate of the lag run, events/s (default: half the single-event, one-tracker drain).")
    var lagRate: Double?

    @Flag(help: "Skip the broker-ceiling run.")
    var skipCeiling = false

    @Flag(help: "Print one JSON object instead of a table.")
    var json = false

    @Option(name: .customLong("cluster-amqp-url"),
            help: "Also drain single-event messages with one tracker through this broker (a cluster node; a comma-separated list uses its first URL), same database, after the single-node drains.")
    var clusterAMQPURL: String?

    @Flag(help: "--cluster-amqp-url of the local three-node cluster (scripts/services cluster env).")
    var cluster = false

    static let drainRuns: [String: (batchMessages: Bool, trackers: Int)] = [
        "single-1": (false, 1), "single-2": (false, 2), "batch-1": (true, 1), "batch-2": (true, 2),
    ]

    func validate() throws {
        guard events >= 1000 else { throw ValidationError("--events must be at least 1000") }
        guard baselineEvents >= 100 else { throw ValidationError("--baseline-events must be at least 100") }
        guard (2...1000).contains(batchSize) else { throw ValidationError("--batch-size must be 2…1000") }
        guard (0...600).contains(lagSeconds) else { throw ValidationError("--lag-seconds must be 0…600") }
        for name in drains.split(separator: ",") where Self.drainRuns[String(name)] == nil {
            throw ValidationError("--drains: unknown run '\(name)' (use single-1, single-2, batch-1, batch-2)")
        }
        guard scratchDatabase.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }), scratchDatabase != "hindsight" else {
            throw ValidationError("--scratch-database must be a plain identifier other than 'hindsight'")
        }
    }

    func run() async throws {
        var logger = Logger(label: "hindsight.bench.ingest")
        logger.logLevel = ProcessInfo.processInfo.environment["HINDSIGHT_BENCH_DEBUG"] == nil ? .warning : .info
        let amqpURL = connection.amqpURLText
        var amqp = try connection.amqp(connectionName: "hindsight-bench-ingest")
        amqp.publishWindow = 4000
        let mainDatabase = try connection.database()
        let database = mainDatabase.withDatabase(scratchDatabase)
        let databaseURLText = Self.replacingDatabase(in: connection.databaseURLText, with: scratchDatabase)

        try await prepareScratchDatabase(main: mainDatabase, scratch: database, logger: logger)
        let bench = Runner(amqp: amqp, database: database, logger: logger)
        var report = Report(events: events, batchSize: batchSize, tracker: "\(benchTrackerConfiguration())")
        var runIndex: UInt64 = 0
        func nextSeed() -> UInt64 { runIndex += 1; return seed &+ runIndex &* 1_000_003 }

        // 1. The broker's ceiling: the same single-event messages consumed and acked, no database.
        if !skipCeiling {
            progress("ingest: broker ceiling: fill \(events) single-event messages, consume + ack")
            report.ceiling = try await bench.ceiling(Workload(seed: nextSeed(), events: events))
        }

        // 2. Drains: single-event and batch messages, 1 and 2 trackers.
        for name in drains.split(separator: ",") {
            guard let (batchMessages, trackers) = Self.drainRuns[String(name)] else { continue }
            let perMessage = batchMessages ? batchSize : 1
            let workload = Workload(seed: nextSeed(), events: events)
            progress("ingest: drain: \(workload.events.count) events in \(perMessage == 1 ? "single-event" : "\(perMessage)-event") messages, \(trackers) tracker(s)")
            report.drains.append(try await bench.drain(workload, perMessage: perMessage, trackers: trackers))
        }

        // 2b. The cluster's cost: the same single-event, one-tracker drain through a node of the cluster,
        // whose quorum queue replicates every message to three nodes before confirming it.
        if let clusterURL = try await clusterURLText() {
            var clusterAMQP = try AMQPConfiguration(url: String(clusterURL.split(separator: ",").first ?? ""))
            clusterAMQP.connectionName = "hindsight-bench-ingest-cluster"
            clusterAMQP.publishWindow = amqp.publishWindow
            let clusterBench = Runner(amqp: clusterAMQP, database: database, logger: logger)
            let workload = Workload(seed: nextSeed(), events: events)
            progress("ingest: 3-node cluster drain: \(workload.events.count) events in single-event messages, 1 tracker")
            var figures = try await clusterBench.drain(workload, perMessage: 1, trackers: 1)
            figures.name = "3-node cluster: " + figures.name
            report.clusterDrains.append(figures)
        }

        // 3. Tracker RSS: a child `hindsight tracker` process drains a single-event fill, then a batch fill
        // (batch messages hold ~100× the bytes per delivery inside the prefetch window).
        if !skipChild {
            for perMessage in [1, batchSize] {
                let workload = Workload(seed: nextSeed(), events: events)
                progress("ingest: child-process tracker: \(workload.events.count) events in \(perMessage)-event messages (RSS)")
                report.children.append(try await bench.childTracker(
                    workload, perMessage: perMessage, databaseURL: databaseURLText, amqpURL: amqpURL))
            }
        }

        // 4. Python baselines (one worker process each) on the same kind of queue.
        if !skipBaselines {
            let runs: [(script: String, name: String, events: Int, perMessage: Int)] = [
                ("benchmarks/ingest_baseline_per_message.py", "python per-message, 1 worker", baselineEvents, 1),
                ("benchmarks/ingest_baseline_batched.py", "python batched, 1 worker, single-event msgs", events, 1),
                ("benchmarks/ingest_baseline_batched.py", "python batched, 1 worker, \(batchSize)-event msgs", events, batchSize),
            ]
            for run in runs {
                let workload = Workload(seed: nextSeed(), events: run.events)
                progress("ingest: \(run.name): \(workload.events.count) events")
                report.baselines.append(try await bench.baseline(
                    run.script, name: run.name, workload: workload, perMessage: run.perMessage, python: python,
                    amqpURL: amqpURL, databaseURL: databaseURLText))
            }
        }

        // 5. Lag under a steady publish rate of half the single-event, one-tracker throughput.
        if lagSeconds > 0, let rate = lagRate ?? report.drains.first.map({ $0.eventsPerSecond / 2 }) {
            progress("ingest: lag: steady publish at \(Int(rate)) events/s for \(lagSeconds) s, 1 tracker")
            report.lag = try await bench.lag(rate: rate, seconds: lagSeconds, seed: nextSeed())
        }

        // 6. Bytes per execution stored.
        progress("ingest: sizes")
        report.sizes = try await bench.sizes(compact: !skipCompact)
        if json {
            try printJSON(report)
        } else {
            report.printTable()
        }
    }

    /// The cluster's broker URL(s): the option, or the local cluster's with `--cluster`.
    private func clusterURLText() async throws -> String? {
        if let clusterAMQPURL { return clusterAMQPURL }
        guard cluster else { return nil }
        let exports = BenchChaos.exports(try await ChaosFaultInjector.services(["cluster", "env"]))
        guard let urls = exports["HINDSIGHT_AMQP_URL"] else { throw ValidationError("scripts/services cluster env printed no HINDSIGHT_AMQP_URL") }
        return urls
    }

    /// Creates (when missing), migrates and empties the scratch database.
    private func prepareScratchDatabase(main: DatabaseURL, scratch: DatabaseURL, logger: Logger) async throws {
        try await StoreConnection.withClient(main, logger: logger) { client in
            let rows = try await client.query(
                "SELECT count(*)::int8 FROM pg_database WHERE datname = \(scratchDatabase)", logger: logger)
            var exists = false
            for try await count in rows.decode(Int64.self) { exists = count > 0 }
            if !exists {
                try await client.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(scratchDatabase)"), logger: logger)
            }
        }
        try await StoreConnection.withClient(scratch, logger: logger) { client in
            _ = try await Migrator(client: client, logger: logger).migrate()
            try await client.query(
                "TRUNCATE hindsight.events, hindsight.executions, hindsight.phases, hindsight.tool_usage, hindsight.domain_daily_stats",
                logger: logger)
            try await client.query("DROP TABLE IF EXISTS public.bench_baseline_events", logger: logger)
        }
    }

    /// `postgres://u:p@h:port/db?x` with another database name.
    static func replacingDatabase(in url: String, with name: String) -> String {
        guard var components = URLComponents(string: url) else { return url }
        components.path = "/" + name
        return components.string ?? url
    }
}


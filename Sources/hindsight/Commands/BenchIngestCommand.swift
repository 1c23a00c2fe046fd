import AMQP
import ArgumentParser
import Foundation
import HindsightAgent
import HindsightCore
import HindsightStore
import HindsightWorkers
import Logging
import PostgresNIO
import ServiceLifecycle
import Synchronization

/// `hindsight bench ingest`: how fast trackers drain a filled queue into PostgreSQL, next to the broker's
/// own consume+ack ceiling and two Python workers (per-message commits; 500 rows per COPY and
/// transaction), plus publish→commit lag under a steady load, tracker RSS and bytes stored per execution.
///
/// Everything is written to a scratch database (`--scratch-database`, created and migrated when missing,
/// its tables emptied at the start), never to the shared `hindsight` database. Each run uses a fresh
/// private quorum queue (the tracker queue's arguments, default exchange, routing key = queue name) and a
/// fresh simulation seed, so runs never deduplicate against each other. Trackers run in-process with
/// their own connections (one AMQP consume + publish connection and one PostgreSQL pool each); drain
/// time is measured from the first delivery to the commit that stores the last event, through the
/// tracker's benchmark probe. RSS is measured on a child `hindsight tracker` process.
struct BenchIngest: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Measure tracker ingestion (drain, lag, RSS, bytes per execution) against Python baselines and the broker ceiling.")

    @OptionGroup var connection: ConnectionOptions

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
        let amqpURL = connection.amqpURL ?? ProcessInfo.processInfo.environment[AMQPConfiguration.environmentKey]
            ?? AMQPConfiguration.defaultURL
        let amqp = try connection.amqp(connectionName: "hindsight-bench-ingest")
        let mainDatabase = try connection.database()
        let database = mainDatabase.withDatabase(scratchDatabase)
        let rawMain = connection.databaseURL ?? ProcessInfo.processInfo.environment["HINDSIGHT_DATABASE_URL"]
            ?? ConnectionOptions.defaultDatabaseURL
        let databaseURLText = Self.replacingDatabase(in: rawMain, with: scratchDatabase)

        try await prepareScratchDatabase(main: mainDatabase, scratch: database, logger: logger)
        var publishConfiguration = amqp
        publishConfiguration.connectionName = "hindsight-bench-ingest-fill"
        publishConfiguration.publishWindow = 4000
        let admin = try await AMQPConnection.connect(publishConfiguration, logger: logger)
        defer { admin.close() }
        let bench = Runner(admin: admin, amqp: amqp, database: database, logger: logger)
        var report = Report(events: events, batchSize: batchSize, tracker: "\(benchTrackerConfiguration())")
        var runIndex: UInt64 = 0
        func nextSeed() -> UInt64 { runIndex += 1; return seed &+ runIndex &* 1_000_003 }

        // 1. The broker's ceiling: the same single-event messages consumed and acked, no database.
        if !skipCeiling {
            progress("broker ceiling: fill \(events) single-event messages, consume + ack")
            let ceilingFill = Workload(seed: nextSeed(), events: events)
            report.ceiling = try await bench.ceiling(ceilingFill)
        }

        // 2. Drains: single-event and batch messages, 1 and 2 trackers.
        for name in drains.split(separator: ",") {
            guard let (batchMessages, trackers) = Self.drainRuns[String(name)] else { continue }
            let perMessage = batchMessages ? batchSize : 1
            let workload = Workload(seed: nextSeed(), events: events)
            progress("drain: \(workload.events.count) events in \(perMessage == 1 ? "single-event" : "\(perMessage)-event") messages, \(trackers) tracker(s)")
            report.drains.append(try await bench.drain(workload, perMessage: perMessage, trackers: trackers))
        }

        // 3. Tracker RSS: a child `hindsight tracker` process drains a single-event fill.
        if !skipChild {
            let workload = Workload(seed: nextSeed(), events: events)
            progress("child-process tracker: \(workload.events.count) single-event messages (RSS)")
            report.children.append(try await bench.childTracker(
                workload, perMessage: 1, databaseURL: databaseURLText, amqpURL: amqpURL))
            // Batch messages hold ~100× the bytes per delivery inside the prefetch window.
            let batches = Workload(seed: nextSeed(), events: events)
            progress("child-process tracker: \(batches.events.count) events in \(batchSize)-event messages (RSS)")
            report.children.append(try await bench.childTracker(
                batches, perMessage: batchSize, databaseURL: databaseURLText, amqpURL: amqpURL))
        }

        // 4. Python baselines on the same kind of queue.
        if !skipBaselines {
            let perMessage = Workload(seed: nextSeed(), events: baselineEvents)
            progress("python per-message baseline: \(perMessage.events.count) events")
            report.baselines.append(try await bench.baseline(
                "benchmarks/ingest_baseline_per_message.py", name: "python per-message", workload: perMessage,
                perMessage: 1, python: python, amqpURL: amqpURL, databaseURL: databaseURLText))
            let batched = Workload(seed: nextSeed(), events: events)
            progress("python batched baseline: \(batched.events.count) events, single-event messages")
            report.baselines.append(try await bench.baseline(
                "benchmarks/ingest_baseline_batched.py", name: "python batched, single-event msgs", workload: batched,
                perMessage: 1, python: python, amqpURL: amqpURL, databaseURL: databaseURLText))
            let batchedBatches = Workload(seed: nextSeed(), events: events)
            progress("python batched baseline: \(batchedBatches.events.count) events, \(batchSize)-event messages")
            report.baselines.append(try await bench.baseline(
                "benchmarks/ingest_baseline_batched.py", name: "python batched, \(batchSize)-event msgs",
                workload: batchedBatches, perMessage: batchSize, python: python, amqpURL: amqpURL,
                databaseURL: databaseURLText))
        }

        // 5. Lag under a steady publish rate of half the single-event, one-tracker throughput.
        if lagSeconds > 0, let rate = lagRate ?? report.drains.first.map({ $0.eventsPerSecond / 2 }) {
            progress("lag: steady publish at \(Int(rate)) events/s for \(lagSeconds) s, 1 tracker")
            report.lag = try await bench.lag(rate: rate, seconds: lagSeconds, seed: nextSeed())
        }

        // 6. Bytes per execution stored.
        progress("sizes")
        report.sizes = try await bench.sizes(compact: !skipCompact)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            report.printTable()
        }
    }

    private func progress(_ text: String) {
        FileHandle.standardError.write(Data("bench ingest: \(text)\n".utf8))
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

// MARK: - Workloads

/// The events of one run: whole simulated executions (~24 events each) from one seed, stamped over the
/// last two hours.
struct Workload: Sendable {
    var events: [WireEvent]
    var executionIDs: [UUID]

    init(seed: UInt64, events count: Int) {
        var simulator = FleetSimulator(seed: seed)
        var events: [WireEvent] = []
        events.reserveCapacity(count + 64)
        var ids: [UUID] = []
        let now = WireFormat.currentMicros()
        let start = now - 2 * 3_600_000_000
        while events.count < count {
            let execution = simulator.execution(startingAt: start + Int64(ids.count) * 50_000)
            ids.append(execution[0].executionID)
            events.append(contentsOf: execution)
        }
        // Keep whole executions, but not beyond the count (the last one may be cut short: it stays running).
        self.events = Array(events.prefix(count))
        self.executionIDs = ids
    }

    /// The message bodies: single-event messages or batches of `perMessage` events.
    func bodies(perMessage: Int) -> [[UInt8]] {
        if perMessage == 1 { return events.map { WireFormat.encode($0) } }
        return stride(from: 0, to: events.count, by: perMessage).map {
            WireFormat.encodeBatch(Array(events[$0..<min($0 + perMessage, events.count)]))
        }
    }
}

// MARK: - Measurements

/// Counts what trackers committed, through their probes.
final class DrainMeter: Sendable {
    private struct State {
        var firstDelivery: ContinuousClock.Instant?
        var committed = 0
        var lastCommit: ContinuousClock.Instant?
        var target = Int.max
        var waiter: CheckedContinuation<Void, Never>?
        var lags: [Int64]?
    }

    private let state: Mutex<State>

    init(collectLags: Bool = false) {
        state = Mutex(State(lags: collectLags ? [] : nil))
    }

    var probe: TrackerService.Probe {
        TrackerService.Probe(
            deliveriesReceived: { [self] _ in
                state.withLock { if $0.firstDelivery == nil { $0.firstDelivery = .now } }
            },
            committed: { [self] events in
                let now = ContinuousClock.now
                let wall = state.withLock { $0.lags } == nil ? 0 : WireFormat.currentMicros()
                let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
                    state.committed += events.count
                    state.lastCommit = now
                    if state.lags != nil {
                        for event in events { state.lags!.append(wall - event.timestampMicros) }
                    }
                    guard state.committed >= state.target, let waiter = state.waiter else { return nil }
                    state.waiter = nil
                    return waiter
                }
                waiter?.resume()
            })
    }

    var committed: Int { state.withLock { $0.committed } }
    var interval: (first: ContinuousClock.Instant?, last: ContinuousClock.Instant?) {
        state.withLock { ($0.firstDelivery, $0.lastCommit) }
    }
    var lags: [Int64] { state.withLock { $0.lags ?? [] } }

    /// Returns once `target` events were committed.
    func wait(for target: Int) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = state.withLock { state -> Bool in
                state.target = target
                if state.committed >= target { return true }
                state.waiter = continuation
                return false
            }
            if done { continuation.resume() }
        }
    }
}

/// Figures of one drain run.
struct DrainFigures: Codable, Sendable {
    var name: String
    var messages: Int
    var events: Int
    var trackers: Int
    var seconds: Double
    var eventsPerSecond: Double
    var messagesPerSecond: Double
    var fillMessagesPerSecond: Double
    var verifiedEvents: Int
    var peakRSSMiB: Double?
}

struct BaselineFigures: Codable, Sendable {
    var name: String
    var client: String
    var events: Int
    var messages: Int
    var seconds: Double
    var eventsPerSecond: Double
}

struct LagFigures: Codable, Sendable {
    var targetRate: Double
    var publishedEvents: Int
    var achievedRate: Double
    var p50Milliseconds: Double
    var p99Milliseconds: Double
    var maxMilliseconds: Double
}

struct SizeFigures: Codable, Sendable {
    struct Table: Codable, Sendable {
        var name: String
        var totalBytes: Int64
        var indexBytes: Int64
    }
    var executions: Int64
    var events: Int64
    var eventsPerExecution: Double
    var averageDataBytes: Double
    var tables: [Table]
    var bytesPerExecution: Double
    var compactedTables: [Table]?
    var compactedBytesPerExecution: Double?
}

/// Runs the measurements against one broker and the scratch database.
struct Runner: Sendable {
    let admin: AMQPConnection
    let amqp: AMQPConfiguration
    let database: DatabaseURL
    let logger: Logger

    /// A fresh private quorum queue filled with the workload's messages; returns its name, the
    /// message count and the fill rate (msgs/s, with publisher confirms).
    func fill(_ workload: Workload, perMessage: Int) async throws -> (queue: String, messages: Int, rate: Double) {
        let queue = "hindsight.bench-ingest.\(UUID().uuidString.prefix(8).lowercased())"
        var options = Topology.trackerQueueOptions()
        options.arguments["x-expires"] = .int(3_600_000)
        try await admin.declareQueue(queue, options: options)
        var properties = AMQPProperties()
        properties.contentType = "application/json"
        properties.deliveryMode = .persistent
        properties.headers = ["hindsight-schema": .int(1)]
        let bodies = workload.bodies(perMessage: perMessage)
        let started = ContinuousClock.now
        for start in stride(from: 0, to: bodies.count, by: 10_000) {
            try await admin.publishBatch(bodies[start..<min(start + 10_000, bodies.count)].map {
                AMQPMessage(routingKey: queue, body: $0, properties: properties)
            })
        }
        return (queue, bodies.count, Double(bodies.count) / (ContinuousClock.now - started).seconds)
    }

    func ceiling(_ workload: Workload) async throws -> DrainFigures {
        let (queue, messages, fillRate) = try await fill(workload, perMessage: 1)
        defer { Task { [admin] in _ = try? await admin.deleteQueue(queue) } }
        var configuration = amqp
        configuration.connectionName = "hindsight-bench-ingest-ceiling"
        let connection = try await AMQPConnection.connect(configuration, logger: logger)
        defer { connection.close() }
        let consumer = try await connection.consume(
            queue: queue, prefetch: UInt16(benchTrackerConfiguration().prefetch))
        var received = 0
        var sinceAck = 0
        var first: ContinuousClock.Instant?
        consuming: for try await batch in consumer.batches {
            if first == nil { first = .now }
            for delivery in batch {
                received += 1
                sinceAck += 1
                if sinceAck == 500 || received == messages {
                    consumer.ack(delivery, multiple: true)
                    sinceAck = 0
                }
                if received == messages { break consuming }
            }
        }
        let seconds = (ContinuousClock.now - (first ?? .now)).seconds
        await consumer.cancelAndWait()
        return DrainFigures(
            name: "broker ceiling (consume+ack, no DB)", messages: messages, events: workload.events.count, trackers: 0,
            seconds: seconds, eventsPerSecond: Double(received) / seconds, messagesPerSecond: Double(received) / seconds,
            fillMessagesPerSecond: fillRate, verifiedEvents: received)
    }

    /// Runs `count` in-process trackers on `queue` until `body` returns.
    func withTrackers<T: Sendable>(
        _ count: Int, queue: String, probe: TrackerService.Probe, _ body: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        for index in 0..<count {
            var configuration = benchTrackerConfiguration()
            configuration.queue = queue
            configuration.declareTopology = false
            var amqp = self.amqp
            amqp.connectionName = "hindsight-bench-tracker-\(index)"
            let postgres = PostgresClient(configuration: database.clientConfiguration, backgroundLogger: logger)
            services.append(.init(service: postgres))
            services.append(.init(service: TrackerService(
                configuration: configuration, amqp: amqp,
                writer: ConsolidationWriter(client: postgres, logger: logger), health: HealthState(),
                logger: logger, probe: probe)))
        }
        return try await withServices(services, logger: logger, body)
    }

    func drain(_ workload: Workload, perMessage: Int, trackers: Int) async throws -> DrainFigures {
        let (queue, messages, fillRate) = try await fill(workload, perMessage: perMessage)
        defer { Task { [admin] in _ = try? await admin.deleteQueue(queue) } }
        let meter = DrainMeter()
        let expected = workload.events.count
        try await withTrackers(trackers, queue: queue, probe: meter.probe) {
            await meter.wait(for: expected)
        }
        let (first, last) = meter.interval
        let seconds = (last! - first!).seconds
        let verified = try await storedEvents(of: workload.executionIDs)
        let kind = perMessage == 1 ? "single-event msgs" : "\(perMessage)-event msgs"
        return DrainFigures(
            name: "tracker, \(kind), \(trackers) tracker\(trackers == 1 ? "" : "s")", messages: messages,
            events: expected, trackers: trackers, seconds: seconds,
            eventsPerSecond: Double(expected) / seconds, messagesPerSecond: Double(messages) / seconds,
            fillMessagesPerSecond: fillRate, verifiedEvents: verified)
    }

    /// Events stored for `executions`, from their consolidated rows (and checked against the raw rows).
    func storedEvents(of executions: [UUID]) async throws -> Int {
        try await StoreConnection.withClient(database, logger: logger) { client in
            let rows = try await client.query(
                "SELECT coalesce(sum(event_count), 0)::int8 FROM hindsight.executions WHERE execution_id = ANY(\(executions))",
                logger: logger)
            var count = 0
            for try await value in rows.decode(Int64.self) { count = Int(value) }
            return count
        }
    }

    /// A child `hindsight tracker` drains a fill; its peak RSS is read from /proc before SIGTERM.
    func childTracker(_ workload: Workload, perMessage: Int, databaseURL: String, amqpURL: String) async throws -> DrainFigures {
        let (queue, messages, fillRate) = try await fill(workload, perMessage: perMessage)
        defer { Task { [admin] in _ = try? await admin.deleteQueue(queue) } }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
        process.arguments = ["tracker"]
        var environment = ProcessInfo.processInfo.environment
        environment["HINDSIGHT_TRACKER_QUEUE"] = queue
        environment["HINDSIGHT_TRACKER_DECLARE_TOPOLOGY"] = "false"
        environment["HINDSIGHT_METRICS_PORT"] = "0"
        environment["HINDSIGHT_METRICS_HOST"] = "127.0.0.1"
        environment["HINDSIGHT_DATABASE_URL"] = databaseURL
        environment["HINDSIGHT_AMQP_URL"] = amqpURL
        environment["HINDSIGHT_LOG_LEVEL"] = "warning"
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        let started = ContinuousClock.now
        try process.run()
        let expected = workload.events.count
        var stored = 0
        var peak: Double?
        var finished: ContinuousClock.Instant?
        try await StoreConnection.withClient(database, logger: logger) { client in
            let deadline = ContinuousClock.now + .seconds(600)
            while ContinuousClock.now < deadline, process.isRunning {
                let rows = try await client.query(
                    "SELECT coalesce(sum(event_count), 0)::int8 FROM hindsight.executions WHERE execution_id = ANY(\(workload.executionIDs))",
                    logger: logger)
                for try await value in rows.decode(Int64.self) { stored = Int(value) }
                peak = max(peak ?? 0, Self.statusKiB("VmHWM", pid: process.processIdentifier).map { $0 / 1024 } ?? 0)
                if stored >= expected { finished = .now; break }
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        guard let finished else {
            throw ValidationError("the child tracker stored \(stored) of \(expected) events (exit \(process.terminationStatus))")
        }
        let seconds = (finished - started).seconds
        return DrainFigures(
            name: "child-process tracker, \(perMessage == 1 ? "single-event" : "\(perMessage)-event") msgs (spawn → stored, 100 ms polls)", messages: messages,
            events: expected, trackers: 1, seconds: seconds, eventsPerSecond: Double(expected) / seconds,
            messagesPerSecond: Double(messages) / seconds, fillMessagesPerSecond: fillRate, verifiedEvents: stored,
            peakRSSMiB: peak)
    }

    static func statusKiB(_ field: String, pid: Int32) -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(field + ":") {
            return Double(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
        }
        return nil
    }

    func baseline(
        _ script: String, name: String, workload: Workload, perMessage: Int, python: String, amqpURL: String,
        databaseURL: String
    ) async throws -> BaselineFigures {
        let (queue, _, _) = try await fill(workload, perMessage: perMessage)
        defer { Task { [admin] in _ = try? await admin.deleteQueue(queue) } }
        let (status, data) = try runCapturingOutput(
            [python, script, "--url", amqpURL, "--database-url", databaseURL, "--queue", queue,
             "--events", "\(workload.events.count)"])
        struct Result: Decodable {
            var client: String
            var events: Int
            var messages: Int
            var seconds: Double
            var rate: Double
        }
        guard status == 0, let result = try? JSONDecoder().decode(Result.self, from: data) else {
            throw ValidationError("the baseline \(script) failed (install its packages with scripts/python-deps, or pass --skip-baselines)")
        }
        return BaselineFigures(name: name, client: result.client, events: result.events, messages: result.messages,
                               seconds: result.seconds, eventsPerSecond: result.rate)
    }

    /// Publishes single-event messages at `rate` for `seconds` (events stamped when published) to a queue
    /// one tracker consumes; lag = commit wall-clock time − event timestamp, per event.
    func lag(rate: Double, seconds: Int, seed: UInt64) async throws -> LagFigures {
        let admin = self.admin
        let queue = "hindsight.bench-ingest.\(UUID().uuidString.prefix(8).lowercased())"
        var options = Topology.trackerQueueOptions()
        options.arguments["x-expires"] = .int(3_600_000)
        try await admin.declareQueue(queue, options: options)
        defer { Task { [admin] in _ = try? await admin.deleteQueue(queue) } }
        let meter = DrainMeter(collectLags: true)
        let published = try await withTrackers(1, queue: queue, probe: meter.probe) {
            // Let the tracker connect before the clock starts.
            try await Task.sleep(for: .milliseconds(500))
            var simulator = FleetSimulator(seed: seed)
            var pending: [WireEvent] = []
            var properties = AMQPProperties()
            properties.contentType = "application/json"
            properties.deliveryMode = .persistent
            properties.headers = ["hindsight-schema": .int(1)]
            let start = ContinuousClock.now
            let end = start + .seconds(seconds)
            var sent = 0
            try await withThrowingDiscardingTaskGroup { group in
                while ContinuousClock.now < end {
                    let due = Int((ContinuousClock.now - start).seconds * rate)
                    if due > sent {
                        var messages: [AMQPMessage] = []
                        messages.reserveCapacity(due - sent)
                        let stamp = WireFormat.currentMicros()
                        while sent < due {
                            if pending.isEmpty { pending = simulator.execution(startingAt: stamp).reversed() }
                            var event = pending.removeLast()
                            event.timestampMicros = stamp
                            messages.append(AMQPMessage(routingKey: queue, body: WireFormat.encode(event), properties: properties))
                            sent += 1
                        }
                        let batch = messages
                        group.addTask { try await admin.publishBatch(batch) }
                    }
                    try await Task.sleep(for: .milliseconds(5))
                }
            }
            await meter.wait(for: sent)
            return sent
        }
        let lags = meter.lags.sorted()
        func percentile(_ p: Double) -> Double {
            guard !lags.isEmpty else { return .nan }
            return Double(lags[min(lags.count - 1, Int((Double(lags.count) * p).rounded(.down)))]) / 1000
        }
        return LagFigures(targetRate: rate, publishedEvents: published, achievedRate: Double(published) / Double(seconds),
                          p50Milliseconds: percentile(0.5), p99Milliseconds: percentile(0.99),
                          maxMilliseconds: Double(lags.last ?? 0) / 1000)
    }

    /// Bytes of the events partitions, executions, phases and tool_usage (heap, TOAST and indexes) per
    /// execution stored in the scratch database.
    func sizes(compact: Bool) async throws -> SizeFigures {
        try await StoreConnection.withClient(database, logger: logger) { client in
            func tables() async throws -> [SizeFigures.Table] {
                let rows = try await client.query(
                    """
                    SELECT 'events (' || count(*) || ' partitions)', coalesce(sum(pg_total_relation_size(i.inhrelid)), 0)::int8,
                           coalesce(sum(pg_indexes_size(i.inhrelid)), 0)::int8
                    FROM pg_inherits i WHERE i.inhparent = 'hindsight.events'::regclass
                    UNION ALL
                    SELECT c, pg_total_relation_size(c::regclass)::int8, pg_indexes_size(c::regclass)::int8
                    FROM unnest(ARRAY['hindsight.executions', 'hindsight.phases', 'hindsight.tool_usage', 'hindsight.domain_daily_stats']) AS c
                    """, logger: logger)
                var result: [SizeFigures.Table] = []
                for try await (name, total, indexes) in rows.decode((String, Int64, Int64).self) {
                    result.append(.init(name: name, totalBytes: total, indexBytes: indexes))
                }
                return result
            }
            try await client.query("ANALYZE hindsight.events, hindsight.executions, hindsight.phases, hindsight.tool_usage", logger: logger)
            let rows = try await client.query(
                """
                SELECT (SELECT count(*) FROM hindsight.executions)::int8, (SELECT count(*) FROM hindsight.events)::int8,
                       coalesce((SELECT avg(pg_column_size(data)) FROM hindsight.events), 0)::float8
                """, logger: logger)
            var executions: Int64 = 0, events: Int64 = 0, dataBytes = 0.0
            for try await (x, e, d) in rows.decode((Int64, Int64, Double).self) { (executions, events, dataBytes) = (x, e, d) }
            let asIngested = try await tables()
            var figures = SizeFigures(
                executions: executions, events: events, eventsPerExecution: Double(events) / Double(max(executions, 1)),
                averageDataBytes: dataBytes, tables: asIngested,
                bytesPerExecution: Double(asIngested.map(\.totalBytes).reduce(0, +)) / Double(max(executions, 1)))
            if compact {
                for table in ["hindsight.events", "hindsight.executions", "hindsight.phases", "hindsight.tool_usage"] {
                    try await client.query(PostgresQuery(unsafeSQL: "VACUUM FULL \(table)"), logger: logger)
                }
                let compacted = try await tables()
                figures.compactedTables = compacted
                figures.compactedBytesPerExecution = Double(compacted.map(\.totalBytes).reduce(0, +)) / Double(max(executions, 1))
            }
            return figures
        }
    }
}

// MARK: - Report

struct Report: Encodable, Sendable {
    var events: Int
    var batchSize: Int
    var tracker: String
    var ceiling: DrainFigures?
    var drains: [DrainFigures] = []
    var children: [DrainFigures] = []
    var baselines: [BaselineFigures] = []
    var lag: LagFigures?
    var sizes: SizeFigures?

    enum CodingKeys: String, CodingKey {
        case events, batchSize, tracker, ceiling, drains, children, baselines, lag, sizes, checks
    }

    struct Check: Encodable, Sendable {
        var what: String
        var figure: Double
        var target: Double
        var met: Bool
    }

    init(events: Int, batchSize: Int, tracker: String) {
        self.events = events
        self.batchSize = batchSize
        self.tracker = tracker
    }

    func printTable() {
        print("hindsight bench ingest — \(events) events per drain run (FleetSimulator, ~24 events/execution), quorum queue")
        print("tracker defaults: \(tracker)")
        print("")
        var rows: [[String]] = []
        func rate(_ value: Double) -> String { String(format: "%.0f", value) }
        if let ceiling {
            rows.append([ceiling.name, "\(ceiling.messages)", "1", String(format: "%.2f", ceiling.seconds),
                         rate(ceiling.eventsPerSecond), rate(ceiling.messagesPerSecond), "-"])
        }
        for drain in drains + children {
            rows.append([drain.name, "\(drain.messages)", "\(drain.events / max(drain.messages, 1))",
                         String(format: "%.2f", drain.seconds), rate(drain.eventsPerSecond), rate(drain.messagesPerSecond),
                         drain.verifiedEvents == drain.events ? "ok" : "\(drain.verifiedEvents) stored!"])
        }
        for baseline in baselines {
            rows.append([baseline.name, "\(baseline.messages)", "\(baseline.events / max(baseline.messages, 1))",
                         String(format: "%.2f", baseline.seconds), rate(baseline.eventsPerSecond),
                         rate(Double(baseline.messages) / baseline.seconds), "-"])
        }
        printTable(["run", "messages", "ev/msg", "seconds", "events/s", "msgs/s", "stored"], rows)
        print("")
        if let lag {
            print(String(format: "lag (1 tracker, steady %.0f events/s target, %.0f achieved, %d events): p50 %.1f ms  p99 %.1f ms  max %.1f ms",
                         lag.targetRate, lag.achievedRate, lag.publishedEvents, lag.p50Milliseconds,
                         lag.p99Milliseconds, lag.maxMilliseconds))
        }
        for child in children {
            if let peak = child.peakRSSMiB {
                print(String(format: "tracker RSS (child process, VmHWM), %@: %.1f MiB (target < 100)",
                             child.events == child.messages ? "single-event msgs" : "\(child.events / max(child.messages, 1))-event msgs", peak))
            }
        }
        if let sizes {
            print(String(format: "stored: %d executions, %d events (%.1f per execution), avg data jsonb %.0f B",
                         sizes.executions, sizes.events, sizes.eventsPerExecution, sizes.averageDataBytes))
            for table in sizes.tables {
                print(String(format: "  %@: %.1f MiB (indexes %.1f MiB)", table.name, Double(table.totalBytes) / 1_048_576,
                             Double(table.indexBytes) / 1_048_576))
            }
            print(String(format: "bytes per execution: %.0f B as ingested", sizes.bytesPerExecution)
                  + (sizes.compactedBytesPerExecution.map { String(format: ", %.0f B after VACUUM FULL", $0) } ?? "")
                  + " (seed 6.0 KB in SQLite; aim < 4 KB)")
        }
        print("")
        printTable(["check", "figure", "target", "met"], computedChecks.map {
            [$0.what, String(format: "%.2f", $0.figure), String(format: "%.2f", $0.target), $0.met ? "yes" : "NO"]
        })
    }

    private func printTable(_ header: [String], _ rows: [[String]]) {
        var widths = header.map(\.count)
        for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, cell in
                i == 0 ? cell.padding(toLength: widths[i], withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: widths[i] - cell.count) + cell
            }.joined(separator: "  ")
        }
        print(line(header))
        print(line(widths.map { String(repeating: "-", count: $0) }))
        for row in rows { print(line(row)) }
    }

    var computedChecks: [Check] {
        var checks: [Check] = []
        let single1 = drains.first { $0.trackers == 1 && $0.messages == $0.events }
        let single2 = drains.first { $0.trackers == 2 && $0.messages == $0.events }
        let batch1 = drains.first { $0.trackers == 1 && $0.messages < $0.events }
        let batch2 = drains.first { $0.trackers == 2 && $0.messages < $0.events }
        let perMessage = baselines.first { $0.messages == $0.events && $0.name.contains("per-message") }
        let batchedSingle = baselines.first { $0.name.contains("batched") && $0.messages == $0.events }
        let batchedBatches = baselines.first { $0.name.contains("batched") && $0.messages < $0.events }
        for drain in [single1, single2].compactMap({ $0 }) {
            if let perMessage {
                let ratio = drain.eventsPerSecond / perMessage.eventsPerSecond
                checks.append(Check(what: "\(drain.name) / python per-message", figure: ratio, target: 30, met: ratio >= 30))
            }
            if let ceiling {
                let share = drain.messagesPerSecond / ceiling.messagesPerSecond
                checks.append(Check(what: "\(drain.name) / broker ceiling", figure: share, target: 0.4, met: share >= 0.4))
            }
        }
        for drain in [batch1, batch2].compactMap({ $0 }) {
            if let batchedSingle {
                let ratio = drain.eventsPerSecond / batchedSingle.eventsPerSecond
                checks.append(Check(what: "\(drain.name) / \(batchedSingle.name)", figure: ratio, target: 4, met: ratio >= 4))
            }
            if let batchedBatches {
                let ratio = drain.eventsPerSecond / batchedBatches.eventsPerSecond
                checks.append(Check(what: "\(drain.name) / \(batchedBatches.name)", figure: ratio, target: 4, met: ratio >= 4))
            }
        }
        for child in children {
            if let peak = child.peakRSSMiB {
                checks.append(Check(what: "tracker peak RSS, MiB (\(child.events / max(child.messages, 1)) ev/msg)", figure: peak,
                                    target: 100, met: peak < 100))
            }
        }
        if let sizes {
            let bytes = sizes.compactedBytesPerExecution ?? sizes.bytesPerExecution
            checks.append(Check(what: "bytes per execution (KB)", figure: bytes / 1000, target: 4, met: bytes < 4000))
        }
        return checks
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(events, forKey: .events)
        try container.encode(batchSize, forKey: .batchSize)
        try container.encode(tracker, forKey: .tracker)
        try container.encodeIfPresent(ceiling, forKey: .ceiling)
        try container.encode(drains, forKey: .drains)
        try container.encode(children, forKey: .children)
        try container.encode(baselines, forKey: .baselines)
        try container.encodeIfPresent(lag, forKey: .lag)
        try container.encodeIfPresent(sizes, forKey: .sizes)
        try container.encode(computedChecks, forKey: .checks)
    }
}

extension Duration {
    fileprivate var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}

/// The trackers' settings for the bench: the defaults, overridden by the same `HINDSIGHT_TRACKER_*`
/// variables as `hindsight tracker` (so a deployment's settings can be measured). Invalid values fall
/// back to the defaults with a warning.
func benchTrackerConfiguration() -> TrackerService.Configuration {
    do {
        return try TrackerService.Configuration(environment: EnvironmentReader(values: ProcessInfo.processInfo.environment))
    } catch {
        FileHandle.standardError.write(Data("bench ingest: ignoring tracker settings from the environment: \(error)\n".utf8))
        return TrackerService.Configuration()
    }
}

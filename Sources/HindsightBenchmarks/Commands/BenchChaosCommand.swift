import AMQP
import ArgumentParser
import Foundation
import HindsightCore
import HindsightStore
import HindsightTesting
import HindsightWorkers
import Logging
import PostgresNIO
import Synchronization

/// `hindsight-bench chaos`: the fault run. Agents publish with confirms to the three-node cluster while
/// child `hindsight tracker` processes store into a fresh database on a private PostgreSQL, and faults are
/// injected on a printed schedule; at the end the database is checked against everything the broker
/// confirmed (lost, duplicated, consolidation equal to the core's), with events/s, lag, recovery time and
/// the workers' memory per fault. docs/reliability.md has the figures and the loss model.
struct BenchChaos: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chaos",
        abstract: "Fault run on the three-node cluster: sustained load, scheduled faults, then lost/duplicated/consolidation checked.",
        discussion: """
            Needs root-run local services: `scripts/services cluster up` (started here when a node is missing) \
            and the run's own PostgreSQL (`scripts/services chaos-postgres up`, started here; the shared one on \
            5433 is never touched). Faults, in order: kill -9 of the node leading the run's quorum queue (then \
            `cluster up`), kill -9 of a tracker (its supervisor restarts it), a clean restart of another node, \
            PostgreSQL stopped (immediate) for 10 s, and every TCP connection of the agents and trackers reset \
            (ss -K). The run uses a private quorum queue with the tracker queue's arguments and a private topic \
            exchange, so other users of the cluster see none of its messages.
            """)

    @Option(help: "Seconds of load (the faults are spread over it; the run lasts longer when a fault takes longer to undo).")
    var duration: Int = 600

    @Option(help: "Agents, each with its own connection and EventPublisher.")
    var agents: Int = 8

    @Option(help: "Target events per second over all agents.")
    var rate: Double = 1000

    @Option(help: "Child `hindsight tracker` processes.")
    var trackers: Int = 2

    @Option(name: .customLong("amqp-url"), help: "Comma-separated node URLs (default: those of `scripts/services cluster env`).")
    var amqpURL: String?

    @Option(help: "Simulation seed of the agents' executions.")
    var seed: UInt64 = 20_261_201

    @Flag(help: "Exit non-zero unless lost = 0, duplicated = 0 and the consolidation equals the core's.")
    var check = false

    @Flag(help: "Print one JSON object instead of the table.")
    var json = false

    static let databaseName = "hindsight_chaos"

    func validate() throws {
        guard (60...7200).contains(duration) else { throw ValidationError("--duration must be 60…7200 seconds") }
        guard (1...64).contains(agents) else { throw ValidationError("--agents must be 1…64") }
        guard (1...8).contains(trackers) else { throw ValidationError("--trackers must be 1…8") }
        guard rate >= 10, rate <= 100_000 else { throw ValidationError("--rate must be 10…100000 events/s") }
    }

    func run() async throws {
        var logger = Logger(label: "hindsight.bench.chaos")
        logger.logLevel = ProcessInfo.processInfo.environment["HINDSIGHT_BENCH_DEBUG"] == nil ? .error : .info
        let binary = try Runner.hindsightExecutable()

        // Services: the cluster (whole) and the run's private PostgreSQL with a fresh database.
        progress("chaos: scripts/services cluster up (starts what is missing)")
        try await ChaosFaultInjector.services(["cluster", "up"])
        let clusterEnvironment = Self.exports(try await ChaosFaultInjector.services(["cluster", "env"]))
        guard let clusterDirectory = clusterEnvironment["HINDSIGHT_CLUSTER_DIR"],
              let defaultURLs = clusterEnvironment["HINDSIGHT_AMQP_URL"],
              let ports = clusterEnvironment["HINDSIGHT_CLUSTER_AMQP_PORTS"]?.split(separator: ",").compactMap({ Int($0) })
        else { throw ValidationError("scripts/services cluster env printed no cluster settings") }
        let urls = (amqpURL ?? defaultURLs).split(separator: ",").map(String.init)
        let clientFailover = (try? AMQPConfiguration(url: urls.joined(separator: ","))) != nil
        let configurations = try urls.map { try AMQPConfiguration(url: $0) }
        let listText = urls.joined(separator: ",")
        let amqpFor: @Sendable (Int) -> AMQPConfiguration = { index in
            if clientFailover, var all = try? AMQPConfiguration(url: listText) {
                // Spread the first connections over the nodes: each client starts at another node of the list.
                let rotated = Array(urls[(index % urls.count)...] + urls[..<(index % urls.count)]).joined(separator: ",")
                all = (try? AMQPConfiguration(url: rotated)) ?? all
                return all
            }
            return configurations[index % configurations.count]
        }
        func urlText(_ index: Int) -> String {
            clientFailover ? Array(urls[(index % urls.count)...] + urls[..<(index % urls.count)]).joined(separator: ",")
                : urls[index % urls.count]
        }

        progress("chaos: scripts/services chaos-postgres up")
        let postgresOutput = try await ChaosFaultInjector.services(["chaos-postgres", "up"])
        guard let ownerText = postgresOutput.split(separator: "\n").compactMap({ line -> String? in
            line.hasPrefix("HINDSIGHT_CHAOS_DATABASE_URL=") ? String(line.dropFirst("HINDSIGHT_CHAOS_DATABASE_URL=".count)) : nil
        }).last else { throw ValidationError("scripts/services chaos-postgres up printed no URL") }
        let owner = try DatabaseURL(parsing: ownerText)
        let database = owner.withDatabase(Self.databaseName)
        try await Self.freshDatabase(owner: owner, logger: logger)
        let trackerURL = Self.trackerURL(ownerText)

        // The run's queue and exchange.
        let suffix = UUID().uuidString.prefix(8).lowercased()
        let queue = "hindsight.chaos.\(suffix)"
        let exchange = "hindsight.chaos.\(suffix)"
        var control = configurations[0]
        control.connectionName = "hindsight-chaos-control"
        let connection = try await AMQPConnection.connect(control, logger: logger)
        try await connection.declareExchange(exchange, type: .topic)
        var options = Topology.trackerQueueOptions()
        options.arguments["x-expires"] = .int(3_600_000)
        try await connection.declareQueue(queue, options: options)
        try await connection.bindQueue(queue, exchange: exchange, routingKey: "#")

        // Trackers under supervisors.
        var trackerEnvironment = ProcessInfo.processInfo.environment.filter { $0.key.hasPrefix("HINDSIGHT_TRACKER_") }
        trackerEnvironment["HINDSIGHT_DATABASE_URL"] = trackerURL
        trackerEnvironment["HINDSIGHT_TRACKER_QUEUE"] = queue
        trackerEnvironment["HINDSIGHT_TRACKER_DECLARE_TOPOLOGY"] = "false"
        trackerEnvironment["HINDSIGHT_METRICS_PORT"] = "0"
        trackerEnvironment["HINDSIGHT_METRICS_HOST"] = "127.0.0.1"
        trackerEnvironment["HINDSIGHT_LOG_LEVEL"] = ProcessInfo.processInfo.environment["HINDSIGHT_LOG_LEVEL"] ?? "error"
        let slots = (0..<trackers).map { index in
            var environment = trackerEnvironment
            environment["HINDSIGHT_AMQP_URL"] = urlText(index + 1)
            return ChaosTrackerSlot(index: index, binary: binary, environment: environment)
        }
        let injector = ChaosFaultInjector(
            queue: queue, clusterDirectory: clusterDirectory, clusterPorts: ports, databasePort: owner.port, trackers: slots)

        // The schedule.
        let warmUp = max(10, Double(duration) / 10)
        let tail = max(15, Double(duration) / 10)
        let slot = (Double(duration) - warmUp - tail) / Double(ChaosFault.schedule.count)
        let planned = ChaosFault.schedule.indices.map { warmUp + Double($0) * slot }
        progress("chaos: \(agents) agents at \(Int(rate)) events/s, \(trackers) tracker(s), queue \(queue) on \(urls.count) nodes"
            + (clientFailover ? " (clients get the node list)" : " (the client takes one URL: each client pinned to one node)"))
        progress("chaos: schedule (seconds from the start of the load; a fault waits for the previous one to be undone):")
        for (fault, at) in zip(ChaosFault.schedule, planned) { progress(String(format: "  %6.0f s  ", at) + fault.rawValue) }

        let ledger = ChaosLedger()
        let stop = ChaosAgents.Stop()
        let load = ChaosAgents(
            count: agents, eventsPerSecond: rate, seed: seed, exchange: exchange, amqp: amqpFor, ledger: ledger, logger: logger)
        let samples = ChaosSamples()
        let origin = WireFormat.currentMicros()
        let started = ContinuousClock.now
        let elapsed: @Sendable () -> Double = { (ContinuousClock.now - started).seconds }

        var records: [ChaosFaultRecord] = []
        var loadEnd = 0.0
        var drainSeconds = 0.0
        let loadTask = Task { await load.run(until: stop) }
        await withDiscardingTaskGroup { group in
            for slot in slots { group.addTask { await slot.supervise() } }
            group.addTask {
                // Samples every second: RSS of the trackers and of this process, the queue's depth.
                while !samples.done {
                    for slot in slots { slot.sample(warmUp: .seconds(10)) }
                    samples.ownRSS(ChaosTrackerSlot.rssMiB(getpid()), warm: ContinuousClock.now - started >= .seconds(10))
                    if let state = try? await connection.inspectQueue(queue) {
                        samples.depth(Int(state.messageCount))
                    }
                    try? await Task.sleep(for: .seconds(1))
                }
            }

            for (index, fault) in ChaosFault.schedule.enumerated() {
                let wait = planned[index] - elapsed()
                if wait > 0 { try? await Task.sleep(for: .seconds(wait)) }
                let injectedAt = elapsed()
                progress(String(format: "chaos: %6.1f s  ", injectedAt) + fault.rawValue)
                let restored = Mutex<Double?>(nil)
                let detail: String
                do {
                    detail = try await injector.inject(fault, index: index, restored: { restored.withLock { $0 = elapsed() } })
                } catch {
                    detail = "FAILED to inject or undo: \(error)"
                }
                let restoredAt = restored.withLock { $0 } ?? elapsed()
                progress(String(format: "chaos: %6.1f s  undone: ", restoredAt) + detail)
                records.append(ChaosFaultRecord(
                    fault: fault, plannedAt: planned[index], injectedAt: injectedAt, restoredAt: restoredAt, detail: detail))
            }
            // Load until the planned end, and at least `tail` after the last fault was undone.
            let end = max(Double(duration), (records.last?.restoredAt ?? 0) + tail)
            if end > elapsed() { try? await Task.sleep(for: .seconds(end - elapsed())) }
            loadEnd = elapsed()
            progress(String(format: "chaos: %6.1f s  load stops; agents finish their last execution, trackers drain", loadEnd))
            stop.stop(grace: .seconds(60))
            await loadTask.value

            // Drain: everything confirmed is stored and the queue is empty (at most 5 minutes).
            let target = ledger.confirmedEvents
            let drainStart = ContinuousClock.now
            while ContinuousClock.now - drainStart < .seconds(300) {
                let stored = (try? await Self.storedEvents(database, logger: logger)) ?? -1
                let ready = (try? await connection.inspectQueue(queue))?.messageCount ?? 1
                if stored >= target, ready == 0 { break }
                try? await Task.sleep(for: .milliseconds(250))
            }
            drainSeconds = (ContinuousClock.now - drainStart).seconds
            for slot in slots { slot.sample(warmUp: .seconds(10)) }
            samples.finish()
            for slot in slots { slot.stop() }
        }
        _ = try? await connection.deleteQueue(queue)
        try? await connection.deleteExchange(exchange)
        await connection.closeAndWait()

        progress("chaos: checking the database against the confirmed events")
        let result = try await ChaosCheck.run(ledger: ledger, database: database, logger: logger)
        let timeline = ChaosTimeline(
            events: try await ChaosCheck.commitTimes(database: database, logger: logger), confirmed: ledger.confirmed,
            failedAttempts: ledger.failedAttempts, depths: samples.depths, origin: origin)
        let baseline = timeline.window("baseline", from: 5, to: records.first?.injectedAt ?? loadEnd)
        let threshold = 2 * (baseline.lagP99Milliseconds ?? 0) + 250
        var figures: [ChaosFaultFigures] = []
        for (index, record) in records.enumerated() {
            let next = index + 1 < records.count ? records[index + 1].injectedAt : loadEnd
            let undone = min(max(record.restoredAt, record.injectedAt + 5), next)
            figures.append(ChaosFaultFigures(
                record: record, during: timeline.window("during", from: record.injectedAt, to: undone),
                after: timeline.window("after", from: undone, to: next),
                recoverySeconds: timeline.recovery(from: record.injectedAt, to: next, thresholdMilliseconds: threshold)))
        }
        let rss = samples.agentRSS
        let report = ChaosReport(
            command: "hindsight-bench chaos --duration \(duration) --agents \(agents) --rate \(Int(rate)) --trackers \(trackers)",
            amqpNodes: urls.count, clientFailover: clientFailover, agents: agents, targetEventsPerSecond: rate,
            loadSeconds: loadEnd, confirmedEventsPerSecond: Double(result.confirmedEvents) / max(loadEnd, 1),
            baseline: baseline, faults: figures, recoveryThresholdMilliseconds: threshold,
            republishedEvents: ledger.republishedEvents, failedPublishes: ledger.failedAttempts.count,
            drainSeconds: drainSeconds, trackers: slots.map(\.figures), agentStartRSSMiB: rss.0, agentEndRSSMiB: rss.1,
            check: result)
        if json { try printJSON(report) } else { report.printReport() }
        if check, !result.passed { throw ExitCode.failure }
    }

    /// The owner's URL of the private server with the tracker's role and the run's database.
    static func trackerURL(_ ownerURL: String) -> String {
        guard var components = URLComponents(string: ownerURL) else { return ownerURL }
        components.user = "hindsight_tracker"
        components.password = "hindsight_tracker"
        components.path = "/" + databaseName
        return components.string ?? ownerURL
    }

    /// `export NAME='value'` lines as a dictionary.
    static func exports(_ text: String) -> [String: String] {
        var values: [String: String] = [:]
        for match in text.matches(of: /export (\w+)='([^']*)'/) { values[String(match.1)] = String(match.2) }
        return values
    }

    /// Drops and creates the run's database on the private server, then migrates it.
    static func freshDatabase(owner: DatabaseURL, logger: Logger) async throws {
        try await StoreConnection.withClient(owner, logger: logger) { client in
            // A fixed name of this file, hence the reviewed unsafe path.
            try await client.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(databaseName) WITH (FORCE)"), logger: logger)
            try await client.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(databaseName)"), logger: logger)
        }
        try await StoreConnection.withClient(owner.withDatabase(databaseName), logger: logger) { client in
            _ = try await Migrator(client: client, logger: logger).migrate()
        }
    }

    static func storedEvents(_ database: DatabaseURL, logger: Logger) async throws -> Int {
        try await StoreConnection.withClient(database, logger: logger) { client in
            let rows = try await client.query("SELECT count(*)::int8 FROM hindsight.events", logger: logger)
            var count = 0
            for try await value in rows.decode(Int64.self) { count = Int(value) }
            return count
        }
    }
}

/// What the run samples every second: the queue's depth and this process's RSS.
final class ChaosSamples: Sendable {
    private struct State {
        var depths: [(Int64, Int)] = []
        var agentRSS: (Double?, Double?) = (nil, nil)
        var done = false
    }

    private let state = Mutex(State())

    func depth(_ ready: Int) {
        let now = WireFormat.currentMicros()
        state.withLock { $0.depths.append((now, ready)) }
    }

    /// The first figure once `warm` is the start figure; the latest is the end figure.
    func ownRSS(_ rss: Double?, warm: Bool) {
        state.withLock {
            if $0.agentRSS.0 == nil, warm { $0.agentRSS.0 = rss }
            $0.agentRSS.1 = rss
        }
    }

    func finish() { state.withLock { $0.done = true } }

    var done: Bool { state.withLock { $0.done } }
    var depths: [(Int64, Int)] { state.withLock { $0.depths } }
    var agentRSS: (Double?, Double?) { state.withLock { $0.agentRSS } }
}

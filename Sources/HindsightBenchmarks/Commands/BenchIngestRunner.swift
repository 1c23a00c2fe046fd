import AMQP
import ArgumentParser
import Foundation
import HindsightCore
import HindsightStore
import HindsightTesting
import HindsightWorkers
import Histogram
import Logging
import PostgresNIO
import Synchronization

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
}

// MARK: - Measurements

/// Counts what trackers committed, through their probes; optionally records publish → commit lag.
final class DrainMeter: Sendable {
    private struct State {
        var firstDelivery: ContinuousClock.Instant?
        var committed = 0
        var lastCommit: ContinuousClock.Instant?
        var target = Int.max
        var waiter: CheckedContinuation<Void, Never>?
        /// Lag per event, microseconds (HdrHistogram, 3 significant digits).
        var lags: Histogram<UInt64>?
    }

    private let state: Mutex<State>

    init(collectLags: Bool = false) {
        state = Mutex(State(lags: collectLags ? Histogram<UInt64>(numberOfSignificantValueDigits: .three) : nil))
    }

    var probe: TrackerService.Probe {
        TrackerService.Probe(
            deliveriesReceived: { [self] _ in
                state.withLock { if $0.firstDelivery == nil { $0.firstDelivery = .now } }
            },
            committed: { [self] events in
                let now = ContinuousClock.now
                let wall = WireFormat.currentMicros()
                let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
                    state.committed += events.count
                    state.lastCommit = now
                    if state.lags != nil {
                        for event in events { state.lags?.record(UInt64(max(0, wall - event.timestampMicros))) }
                    }
                    guard state.committed >= state.target, let waiter = state.waiter else { return nil }
                    state.waiter = nil
                    return waiter
                }
                waiter?.resume()
            })
    }

    var interval: (first: ContinuousClock.Instant?, last: ContinuousClock.Instant?) {
        state.withLock { ($0.firstDelivery, $0.lastCommit) }
    }

    /// The lag histogram (empty unless created with `collectLags`).
    var lags: Histogram<UInt64> { state.withLock { $0.lags ?? Histogram<UInt64>() } }

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

/// Runs the measurements against one broker and the scratch database; each run on a fresh
/// ``TrackerHarness`` queue.
struct Runner: Sendable {
    let amqp: AMQPConfiguration
    let database: DatabaseURL
    let logger: Logger

    /// A fresh private queue (``TrackerHarness``), filled with the workload in messages of `perMessage`
    /// events; returns it with the message count and the fill rate (msgs/s, with publisher confirms).
    func filledHarness(_ workload: Workload, perMessage: Int) async throws -> (harness: TrackerHarness, messages: Int, rate: Double) {
        let harness = try await TrackerHarness(
            amqp: amqp, database: database, queuePrefix: "hindsight.bench-ingest", captureDeadLetters: false,
            migrate: false, logger: logger)
        do {
            let started = ContinuousClock.now
            let messages = try await harness.publish(workload.events, eventsPerMessage: perMessage, chunk: 10_000)
            return (harness, messages, Double(messages) / (ContinuousClock.now - started).seconds)
        } catch {
            await harness.cleanUp()
            throw error
        }
    }

    /// One rabbitmq-c consumer with the tracker's prefetch acks single-event messages, no database.
    func ceiling(_ workload: Workload) async throws -> DrainFigures {
        let (harness, messages, fillRate) = try await filledHarness(workload, perMessage: 1)
        var configuration = amqp
        configuration.connectionName = "hindsight-bench-ingest-ceiling"
        let connection = try await AMQPConnection.connect(configuration, logger: logger)
        let tracker = benchTrackerConfiguration()
        let consumer = try await connection.consume(
            queue: harness.queue, prefetch: UInt16(clamping: tracker.prefetch), maxBufferedBytes: tracker.bufferBytes)
        var received = 0
        var sinceAck = 0
        var first: ContinuousClock.Instant?
        consuming: for try await batch in consumer.batches {
            if first == nil { first = .now }
            for delivery in batch {
                received += 1
                sinceAck += 1
                if sinceAck == tracker.batchMessages || received == messages {
                    consumer.ack(delivery, multiple: true)
                    sinceAck = 0
                }
                if received == messages { break consuming }
            }
        }
        let seconds = (ContinuousClock.now - (first ?? .now)).seconds
        await consumer.cancelAndWait()
        await connection.closeAndWait()
        await harness.cleanUp()
        return DrainFigures(
            name: "broker ceiling (1 consumer, consume+ack, no DB)", messages: messages, events: workload.events.count,
            trackers: 0, seconds: seconds, eventsPerSecond: Double(received) / seconds,
            messagesPerSecond: Double(received) / seconds, fillMessagesPerSecond: fillRate, verifiedEvents: received)
    }

    func drain(_ workload: Workload, perMessage: Int, trackers: Int) async throws -> DrainFigures {
        let (harness, messages, fillRate) = try await filledHarness(workload, perMessage: perMessage)
        let meter = DrainMeter()
        let expected = workload.events.count
        let verified: Int
        do {
            try await harness.withTrackers(trackers, configuration: benchTrackerConfiguration(), probe: meter.probe) {
                await meter.wait(for: expected)
            }
            verified = try await harness.consolidatedEventCount(of: workload.executionIDs)
        } catch {
            await harness.cleanUp()
            throw error
        }
        await harness.cleanUp()
        let (first, last) = meter.interval
        guard let first, let last else { throw ValidationError("the trackers reported no delivery") }
        let seconds = (last - first).seconds
        let kind = perMessage == 1 ? "single-event msgs" : "\(perMessage)-event msgs"
        return DrainFigures(
            name: "tracker, \(kind), \(trackers) tracker\(trackers == 1 ? "" : "s")", messages: messages,
            events: expected, trackers: trackers, seconds: seconds,
            eventsPerSecond: Double(expected) / seconds, messagesPerSecond: Double(messages) / seconds,
            fillMessagesPerSecond: fillRate, verifiedEvents: verified)
    }

    /// A child `hindsight tracker` (the executable next to this one) drains a fill; its peak RSS is read
    /// from /proc every 100 ms until everything is stored.
    func childTracker(_ workload: Workload, perMessage: Int, databaseURL: String, amqpURL: String) async throws -> DrainFigures {
        let binary = try Self.hindsightExecutable()
        let (harness, messages, fillRate) = try await filledHarness(workload, perMessage: perMessage)
        let expected = workload.events.count
        let logger = self.logger
        let started = ContinuousClock.now
        typealias Polled = (stored: Int, peak: Double?, finished: ContinuousClock.Instant?)
        let outcome: Polled
        let termination: ChildProcess.Termination
        let database = self.database
        do {
            (outcome, termination) = try await harness.withChildTracker(
                binary: binary, environment: ["HINDSIGHT_DATABASE_URL": databaseURL, "HINDSIGHT_AMQP_URL": amqpURL]
            ) { pid -> Polled in
                try await StoreConnection.withClient(database, logger: logger) { client -> Polled in
                    var stored = 0
                    var peak: Double?
                    let deadline = ContinuousClock.now + .seconds(600)
                    while ContinuousClock.now < deadline {
                        stored = try await TrackerHarness.consolidatedEventCount(
                            of: workload.executionIDs, client: client, logger: logger)
                        guard let rss = Self.statusKiB("VmHWM", pid: pid) else { break }  // the child is gone
                        peak = max(peak ?? 0, rss / 1024)
                        if stored >= expected { return (stored, peak, ContinuousClock.now) }
                        try await Task.sleep(for: .milliseconds(100))
                    }
                    return (stored, peak, nil)
                }
            }
        } catch {
            await harness.cleanUp()
            throw error
        }
        await harness.cleanUp()
        guard let finished = outcome.finished else {
            throw ValidationError("the child tracker stored \(outcome.stored) of \(expected) events (\(termination))")
        }
        let seconds = (finished - started).seconds
        return DrainFigures(
            name: "child-process tracker, \(perMessage == 1 ? "single-event" : "\(perMessage)-event") msgs (spawn → stored, 100 ms polls)",
            messages: messages, events: expected, trackers: 1, seconds: seconds,
            eventsPerSecond: Double(expected) / seconds, messagesPerSecond: Double(messages) / seconds,
            fillMessagesPerSecond: fillRate, verifiedEvents: outcome.stored, peakRSSMiB: outcome.peak)
    }

    /// The `hindsight` executable built next to `hindsight-bench`.
    static func hindsightExecutable() throws -> String {
        let own = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        let sibling = URL(fileURLWithPath: own).deletingLastPathComponent().appendingPathComponent("hindsight").path
        guard FileManager.default.isExecutableFile(atPath: sibling) else {
            throw ValidationError("\(sibling) is missing: build it too (`swift build -c release --product hindsight`), or pass --skip-child")
        }
        return sibling
    }

    static func statusKiB(_ field: String, pid: Int32) -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(field + ":") {
            return Double(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
        }
        return nil
    }

    /// One Python worker (one process) drains a fill of the same kind of queue.
    func baseline(
        _ script: String, name: String, workload: Workload, perMessage: Int, python: String, amqpURL: String,
        databaseURL: String
    ) async throws -> BaselineFigures {
        let (harness, _, _) = try await filledHarness(workload, perMessage: perMessage)
        let run: (termination: ChildProcess.Termination, output: [UInt8])
        do {
            run = try await ChildProcess.run(
                python, [script, "--url", amqpURL, "--database-url", databaseURL, "--queue", harness.queue,
                         "--events", "\(workload.events.count)"])
        } catch {
            await harness.cleanUp()
            throw error
        }
        await harness.cleanUp()
        struct Result: Decodable {
            var client: String
            var events: Int
            var messages: Int
            var seconds: Double
            var rate: Double
        }
        guard run.termination.isSuccess, let result = try? JSONDecoder().decode(Result.self, from: Data(run.output)) else {
            throw ValidationError("the baseline \(script) failed, \(run.termination) (install its packages with scripts/python-deps, or pass --skip-baselines)")
        }
        return BaselineFigures(name: name, client: result.client, events: result.events, messages: result.messages,
                               seconds: result.seconds, eventsPerSecond: result.rate)
    }

    /// Publishes single-event messages at `rate` for `seconds` (events stamped when published) to a queue
    /// one tracker consumes; lag = commit wall-clock time − event timestamp, per event, in an HdrHistogram.
    func lag(rate: Double, seconds: Int, seed: UInt64) async throws -> LagFigures {
        let harness = try await TrackerHarness(
            amqp: amqp, database: database, queuePrefix: "hindsight.bench-ingest", captureDeadLetters: false,
            migrate: false, logger: logger)
        let meter = DrainMeter(collectLags: true)
        let published: Int
        do {
            published = try await harness.withTrackers(1, configuration: benchTrackerConfiguration(), probe: meter.probe) {
                // Let the tracker connect before the clock starts.
                try await Task.sleep(for: .milliseconds(500))
                var simulator = FleetSimulator(seed: seed)
                var pending: [WireEvent] = []
                let start = ContinuousClock.now
                let end = start + .seconds(seconds)
                var sent = 0
                try await withThrowingDiscardingTaskGroup { group in
                    while ContinuousClock.now < end {
                        let due = Int((ContinuousClock.now - start).seconds * rate)
                        if due > sent {
                            var events: [WireEvent] = []
                            events.reserveCapacity(due - sent)
                            let stamp = WireFormat.currentMicros()
                            while sent < due {
                                if pending.isEmpty { pending = simulator.execution(startingAt: stamp).reversed() }
                                var event = pending.removeLast()
                                event.timestampMicros = stamp
                                events.append(event)
                                sent += 1
                            }
                            let batch = events
                            group.addTask { try await harness.publish(batch, eventsPerMessage: 1, chunk: batch.count) }
                        }
                        try await Task.sleep(for: .milliseconds(5))
                    }
                }
                await meter.wait(for: sent)
                return sent
            }
        } catch {
            await harness.cleanUp()
            throw error
        }
        await harness.cleanUp()
        let lags = meter.lags
        func milliseconds(_ micros: UInt64) -> Double { Double(micros) / 1000 }
        return LagFigures(targetRate: rate, publishedEvents: published, achievedRate: Double(published) / Double(seconds),
                          p50Milliseconds: milliseconds(lags.valueAtPercentile(50)),
                          p99Milliseconds: milliseconds(lags.valueAtPercentile(99)),
                          maxMilliseconds: milliseconds(lags.max))
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

/// The trackers' settings for the bench: the defaults, overridden by the same `HINDSIGHT_TRACKER_*`
/// variables as `hindsight tracker` (so a deployment's settings can be measured). Invalid values fall
/// back to the defaults with a warning.
func benchTrackerConfiguration() -> TrackerService.Configuration {
    do {
        return try TrackerService.Configuration(environment: EnvironmentReader())
    } catch {
        progress("ignoring tracker settings from the environment: \(error)")
        return TrackerService.Configuration()
    }
}

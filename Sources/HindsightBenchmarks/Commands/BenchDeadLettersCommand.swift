import AMQP
import ArgumentParser
import Foundation
import HindsightCore
import HindsightStore
import HindsightTesting
import HindsightWorkers
import Logging
import Synchronization

/// `hindsight-bench dead-letters`: how fast one tracker drains a flood of messages that can never be
/// stored (invalid JSON), each republished to the dead-letter exchange with its reason.
///
/// Each run fills a fresh private queue (``TrackerHarness``) with `--messages` invalid bodies, then runs
/// one in-process tracker (the default settings, overridden by `HINDSIGHT_TRACKER_*`) until every dead letter has reached `hindsight.dead-letters`. The time is
/// measured from the tracker's first delivery to the moment that queue holds them all (polled
/// with a passive declare every 10 ms), so it covers decoding, the dead-letter publishes with their
/// confirms and the acknowledgements in between. No database write happens for such batches.
struct BenchDeadLetters: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dead-letters",
        abstract: "Measure how fast one tracker dead-letters a flood of invalid messages.")

    @OptionGroup var connection: BenchConnectionOptions

    @Option(help: "Invalid messages per run.")
    var messages: Int = 20_000

    @Option(help: "Runs.")
    var runs: Int = 3

    @Flag(help: "Print one JSON object instead of a table.")
    var json = false

    func validate() throws {
        guard messages >= 100 else { throw ValidationError("--messages must be at least 100") }
        guard (1...20).contains(runs) else { throw ValidationError("--runs must be 1…20") }
    }

    struct Run: Encodable {
        var messages: Int
        var seconds: Double
        var messagesPerSecond: Double
    }

    func run() async throws {
        var logger = Logger(label: "hindsight.bench.dead-letters")
        logger.logLevel = .error
        let amqp = try connection.amqp(connectionName: "hindsight-bench-dead-letters")
        let database = try connection.database()
        var results: [Run] = []
        for index in 0..<runs {
            progress("dead-letters run \(index + 1)/\(runs): filling \(messages) invalid messages")
            results.append(try await measure(amqp: amqp, database: database, logger: logger))
            progress(String(format: "dead-letters run %d: %.0f msgs/s", index + 1, results[index].messagesPerSecond))
        }
        if json {
            try printJSON(results)
        } else {
            printTable(["run", "messages", "seconds", "msgs/s"], results.enumerated().map { index, run in
                ["\(index + 1)", "\(run.messages)", String(format: "%.3f", run.seconds), String(format: "%.0f", run.messagesPerSecond)]
            })
        }
    }

    private func measure(amqp: AMQPConfiguration, database: DatabaseURL, logger: Logger) async throws -> Run {
        let harness = try await TrackerHarness(
            amqp: amqp, database: database, queuePrefix: "hindsight.bench-dead-letters", captureDeadLetters: false,
            migrate: false, logger: logger)
        do {
            let bodies = (0..<messages).map { Array("not json \($0)".utf8) }
            try await harness.publish(bodies: bodies)
            let first = Mutex<ContinuousClock.Instant?>(nil)
            let probe = TrackerService.Probe(
                deliveriesReceived: { _ in first.withLock { if $0 == nil { $0 = .now } } },
                committed: { _ in })
            let expected = messages
            // The production topology: every dead letter lands once, in `hindsight.dead-letters` (a
            // capture queue bound beside it would double the broker's persistent writes per message).
            let before = Int(try await harness.connection.inspectQueue(WireContract.deadLetterQueue).messageCount)
            let finished = try await harness.withTrackers(1, configuration: benchTrackerConfiguration(), probe: probe) {
                try await Self.waitForDeadLetters(before + expected, in: harness)
            }
            await harness.cleanUp()
            guard let started = first.withLock({ $0 }) else { throw ValidationError("the tracker reported no delivery") }
            let seconds = (finished - started).seconds
            return Run(messages: expected, seconds: seconds, messagesPerSecond: Double(expected) / seconds)
        } catch {
            await harness.cleanUp()
            throw error
        }
    }

    /// Polls `hindsight.dead-letters` until it holds `count` messages; returns when it did. (Nothing else
    /// dead-letters on the local broker while the benchmark runs; the queue is never purged.)
    private static func waitForDeadLetters(_ count: Int, in harness: TrackerHarness) async throws -> ContinuousClock.Instant {
        let queue = WireContract.deadLetterQueue
        let deadline = ContinuousClock.now + .seconds(300)
        while ContinuousClock.now < deadline {
            if try await harness.connection.inspectQueue(queue).messageCount >= count { return .now }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw ValidationError("fewer than \(count) dead letters after 300 s")
    }
}

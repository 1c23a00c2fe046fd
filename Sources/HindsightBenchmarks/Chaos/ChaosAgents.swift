import AMQP
import Foundation
import HindsightAgent
import HindsightCore
import HindsightTesting
import Logging
import Synchronization

/// The fault run's load: agents publishing whole simulated executions with confirms (``EventPublisher``,
/// single-event messages, no spool), each on its own connection, at a fixed total rate.
///
/// An execution whose publish fails (connection lost, no confirmation in time) is published again, the
/// same events with the same ids and timestamps, until the broker confirms it: the run counts only what
/// was confirmed, and the duplicates a retry may create are the storage's to remove. Each event's `ts` is
/// the time of the execution's first attempt (seq added in microseconds, to keep the order), so commit
/// time − `ts` is the end-to-end lag an agent sees, outages included.
struct ChaosAgents: Sendable {
    var count: Int
    var eventsPerSecond: Double
    var seed: UInt64
    var exchange: String
    /// One configuration per agent (the whole node list each, or one node each when the client takes one).
    var amqp: @Sendable (Int) -> AMQPConfiguration
    var ledger: ChaosLedger
    var logger: Logger

    /// When to stop publishing new executions, and when to give up on the one in flight.
    final class Stop: Sendable {
        private let state = Mutex<ContinuousClock.Instant?>(nil)

        /// Stops new executions now; an execution in flight is retried for at most `grace`.
        func stop(grace: Duration) { state.withLock { $0 = .now + grace } }

        var stopping: Bool { state.withLock { $0 != nil } }
        var giveUp: Bool { state.withLock { $0.map { ContinuousClock.now >= $0 } ?? false } }
    }

    /// Publishes until `stop` says so.
    func run(until stop: Stop) async {
        await withDiscardingTaskGroup { group in
            for index in 0..<count {
                group.addTask { await agent(index, stop: stop) }
            }
        }
    }

    private func agent(_ index: Int, stop: Stop) async {
        var configuration = amqp(index)
        configuration.connectionName = "hindsight-chaos-agent-\(index)"
        let settings: EventPublisher.Configuration
        do {
            settings = try EventPublisher.Configuration(
                eventsPerMessage: 1, exchange: exchange, confirmTimeout: .seconds(5),
                reconnectDelay: .milliseconds(200), maxReconnectDelay: .seconds(2))
        } catch {
            progress("chaos: agent \(index): \(error)")
            return
        }
        let publisher = EventPublisher(amqp: configuration, configuration: settings, logger: logger)
        var simulator = FleetSimulator(seed: seed &+ UInt64(index) &* 7_919)
        let perAgent = eventsPerSecond / Double(count)
        // Agents start spread over one execution's interval, so their publishes do not come in waves.
        var next = ContinuousClock.now + .seconds(Double(index) / Double(count) * 24 / perAgent)
        while !stop.stopping {
            try? await Task.sleep(until: next)
            if stop.stopping { break }
            var events = simulator.execution(startingAt: 0)
            let stamp = WireFormat.currentMicros()
            for i in events.indices { events[i].timestampMicros = stamp + events[i].seq }
            var attempts = 0
            while true {
                attempts += 1
                do {
                    _ = try await publisher.publish(events)
                    ledger.confirm(events, firstAttemptMicros: stamp, attempts: attempts)
                    break
                } catch {
                    ledger.failed(error)
                    if stop.giveUp {
                        if let id = events.first?.executionID { ledger.abandoned(id) }
                        break
                    }
                    try? await Task.sleep(for: .milliseconds(200))
                }
            }
            // Hold the rate; after an outage, resume it rather than bursting to catch up.
            next += .seconds(Double(events.count) / perAgent)
            let now = ContinuousClock.now
            if next < now - .seconds(1) { next = now }
        }
        await publisher.close()
    }
}

import Foundation

/// What one fault did, as it happened (seconds from the start of the load).
struct ChaosFaultRecord: Sendable, Codable {
    var fault: ChaosFault
    var plannedAt: Double
    var injectedAt: Double
    /// When the harness had undone it (node back in the cluster, PostgreSQL started, tracker restarted).
    var restoredAt: Double
    var detail: String
}

/// Figures of one stretch of the run.
struct ChaosWindow: Sendable, Codable {
    var name: String
    var from: Double
    var to: Double
    /// Events the broker confirmed per second in the stretch (by confirmation time).
    var confirmedPerSecond: Double
    /// Lag (commit − first publish attempt) of the events first published in the stretch, ms.
    var lagP50Milliseconds: Double?
    var lagP99Milliseconds: Double?
    var lagMaxMilliseconds: Double?
    var failedPublishes: Int
    var maxQueueDepth: Int?
}

struct ChaosFaultFigures: Sendable, Codable {
    var record: ChaosFaultRecord
    var during: ChaosWindow
    var after: ChaosWindow
    /// From the injection to the end of the last second whose events' p99 lag was above the threshold
    /// (2 × the baseline p99 + 250 ms); 0 when none was.
    var recoverySeconds: Double
}

struct ChaosReport: Sendable, Codable {
    var command: String
    var amqpNodes: Int
    var clientFailover: Bool
    var agents: Int
    var targetEventsPerSecond: Double
    var loadSeconds: Double
    var confirmedEventsPerSecond: Double
    var baseline: ChaosWindow
    var faults: [ChaosFaultFigures]
    var recoveryThresholdMilliseconds: Double
    var republishedEvents: Int
    var failedPublishes: Int
    var drainSeconds: Double
    var trackers: [ChaosTrackerSlot.Figures]
    var agentStartRSSMiB: Double?
    var agentEndRSSMiB: Double?
    var check: ChaosCheck

    func printReport() {
        func ms(_ value: Double?) -> String { value.map { $0 >= 10_000 ? String(format: "%.1f s", $0 / 1000) : String(format: "%.0f ms", $0) } ?? "-" }
        func rate(_ value: Double) -> String { String(format: "%.0f", value) }
        print("fault run: \(command)")
        print("load: \(agents) agents, target \(rate(targetEventsPerSecond)) events/s, \(String(format: "%.0f", loadSeconds)) s; "
            + "confirmed \(rate(confirmedEventsPerSecond)) events/s over the run; \(amqpNodes) broker nodes, "
            + (clientFailover ? "clients given the node list (failover)" : "each client pinned to one node"))
        print("")
        var rows: [[String]] = [[
            "baseline (before the first fault)", String(format: "%.0f–%.0f s", baseline.from, baseline.to), "-", "-",
            rate(baseline.confirmedPerSecond), "\(ms(baseline.lagP50Milliseconds)) / \(ms(baseline.lagP99Milliseconds))", "-", "-",
            "\(baseline.failedPublishes)",
        ]]
        for fault in faults {
            rows.append([
                fault.record.fault.rawValue, String(format: "%.0f s", fault.record.injectedAt),
                String(format: "%.1f s", fault.record.restoredAt - fault.record.injectedAt),
                String(format: "%.1f s", fault.recoverySeconds),
                "\(rate(fault.during.confirmedPerSecond)) → \(rate(fault.after.confirmedPerSecond))",
                "\(ms(fault.during.lagP50Milliseconds)) / \(ms(fault.during.lagP99Milliseconds))",
                "\(ms(fault.after.lagP50Milliseconds)) / \(ms(fault.after.lagP99Milliseconds))",
                ms(fault.during.lagMaxMilliseconds),
                "\(fault.during.failedPublishes + fault.after.failedPublishes)",
            ])
        }
        printTable(["stretch", "at", "undone after", "recovered after", "events/s during → after",
                    "lag p50/p99 during", "lag p50/p99 after", "lag max", "failed publishes"], rows)
        print("")
        for fault in faults { print("  \(String(format: "%5.0f s", fault.record.injectedAt))  \(fault.record.detail)") }
        print("")
        print("recovered = the last second whose events' p99 lag exceeded \(ms(recoveryThresholdMilliseconds)) (2 × baseline p99 + 250 ms) ended, counted from the injection")
        print("republished by agents after a failed or unconfirmed publish: \(republishedEvents) events (\(failedPublishes) failed attempts); drain after the load: \(String(format: "%.1f", drainSeconds)) s")
        for tracker in trackers {
            print("tracker \(tracker.index): RSS \(tracker.startRSSMiB.map { String(format: "%.1f", $0) } ?? "-") MiB at start, "
                + "\(tracker.endRSSMiB.map { String(format: "%.1f", $0) } ?? "-") MiB at the end; \(tracker.restarts) restart(s)"
                + (tracker.exits.isEmpty ? "" : " (\(tracker.exits.joined(separator: ", ")))"))
        }
        print("agents' process (bench, holds the reference consolidation): RSS \(agentStartRSSMiB.map { String(format: "%.1f", $0) } ?? "-") → \(agentEndRSSMiB.map { String(format: "%.1f", $0) } ?? "-") MiB")
        print("")
        print("check: confirmed \(check.confirmedEvents) events in \(check.confirmedExecutions) executions; lost \(check.lost), duplicated \(check.duplicated), "
            + "consolidation \(check.consolidationEqual ? "equal to the core's" : "DIFFERS: \(check.consolidationDifferences.joined(separator: "; "))")"
            + (check.storedUnconfirmedExecutions > 0 ? "; \(check.storedUnconfirmedExecutions) unconfirmed executions stored as well" : ""))
    }
}

/// Percentiles and windows over the per-event commit times.
struct ChaosTimeline {
    /// (first attempt, commit), microseconds, sorted by the first.
    var events: [(ts: Int64, committed: Int64)]
    var confirmed: [ChaosLedger.Confirmed]
    var failedAttempts: [Int64]
    /// (microseconds, ready messages) samples of the queue.
    var depths: [(Int64, Int)]
    /// The start of the load, wall-clock microseconds.
    var origin: Int64

    init(events: [(ts: Int64, committed: Int64)], confirmed: [ChaosLedger.Confirmed], failedAttempts: [Int64],
         depths: [(Int64, Int)], origin: Int64) {
        self.events = events.sorted { $0.ts < $1.ts }
        self.confirmed = confirmed
        self.failedAttempts = failedAttempts
        self.depths = depths
        self.origin = origin
    }

    func micros(_ seconds: Double) -> Int64 { origin + Int64(seconds * 1_000_000) }

    /// Lags (ms) of the events first published in [from, to) seconds.
    func lags(from: Double, to: Double) -> [Double] {
        let (low, high) = (micros(from), micros(to))
        var start = 0, end = events.count
        // Binary search for the first ts ≥ low.
        var lo = 0, hi = events.count
        while lo < hi { let mid = (lo + hi) / 2; if events[mid].ts < low { lo = mid + 1 } else { hi = mid } }
        start = lo
        hi = events.count
        while lo < hi { let mid = (lo + hi) / 2; if events[mid].ts < high { lo = mid + 1 } else { hi = mid } }
        end = lo
        return events[start..<end].map { Double($0.committed - $0.ts) / 1000 }.sorted()
    }

    static func percentile(_ sorted: [Double], _ p: Double) -> Double? {
        guard !sorted.isEmpty else { return nil }
        let rank = Int((p / 100 * Double(sorted.count)).rounded(.up)) - 1
        return sorted[min(max(rank, 0), sorted.count - 1)]
    }

    func window(_ name: String, from: Double, to: Double) -> ChaosWindow {
        let lags = lags(from: from, to: to)
        let (low, high) = (micros(from), micros(to))
        let confirmedEvents = confirmed.filter { $0.confirmedMicros >= low && $0.confirmedMicros < high }.reduce(0) { $0 + $1.events }
        let failed = failedAttempts.filter { $0 >= low && $0 < high }.count
        let depth = depths.filter { $0.0 >= low && $0.0 < high }.map(\.1).max()
        return ChaosWindow(
            name: name, from: from, to: to, confirmedPerSecond: Double(confirmedEvents) / max(to - from, 0.001),
            lagP50Milliseconds: Self.percentile(lags, 50), lagP99Milliseconds: Self.percentile(lags, 99),
            lagMaxMilliseconds: lags.last, failedPublishes: failed, maxQueueDepth: depth)
    }

    /// Seconds from `from` to the end of the last one-second bucket before `to` whose events' p99 lag
    /// exceeds `thresholdMilliseconds`.
    func recovery(from: Double, to: Double, thresholdMilliseconds: Double) -> Double {
        var last = 0.0
        var second = from
        while second < to {
            let bucket = lags(from: second, to: min(second + 1, to))
            if let p99 = Self.percentile(bucket, 99), p99 > thresholdMilliseconds { last = min(second + 1, to) - from }
            second += 1
        }
        return last
    }
}

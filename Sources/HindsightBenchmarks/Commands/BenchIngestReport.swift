import Foundation

/// Everything `hindsight-bench ingest` measured, and the ratios between like-for-like runs.
struct Report: Encodable, Sendable {
    var events: Int
    var batchSize: Int
    var tracker: String
    var ceiling: DrainFigures?
    var drains: [DrainFigures] = []
    /// The single-event, one-tracker drain through the three-node cluster (`--cluster`).
    var clusterDrains: [DrainFigures] = []
    var children: [DrainFigures] = []
    var baselines: [BaselineFigures] = []
    var lag: LagFigures?
    var sizes: SizeFigures?

    enum CodingKeys: String, CodingKey {
        case events, batchSize, tracker, ceiling, drains, clusterDrains, children, baselines, lag, sizes, ratios
    }

    /// One ratio between two figures of the run (no target: targets are in docs/benchmarks.md).
    struct Ratio: Encodable, Sendable {
        var what: String
        var ratio: Double
    }

    init(events: Int, batchSize: Int, tracker: String) {
        self.events = events
        self.batchSize = batchSize
        self.tracker = tracker
    }

    /// Ratios of like with like: one tracker against one Python worker (one process) on the same kind of
    /// messages, one tracker against one bare consumer, two trackers against one (scaling).
    var ratios: [Ratio] {
        var ratios: [Ratio] = []
        let single1 = drains.first { $0.trackers == 1 && $0.messages == $0.events }
        let single2 = drains.first { $0.trackers == 2 && $0.messages == $0.events }
        let batch1 = drains.first { $0.trackers == 1 && $0.messages < $0.events }
        let batch2 = drains.first { $0.trackers == 2 && $0.messages < $0.events }
        let perMessage = baselines.first { $0.name.contains("per-message") }
        let batchedSingle = baselines.first { $0.name.contains("batched") && $0.messages == $0.events }
        let batchedBatches = baselines.first { $0.name.contains("batched") && $0.messages < $0.events }
        func add(_ what: String, _ a: Double?, _ b: Double?) {
            guard let a, let b, b > 0 else { return }
            ratios.append(Ratio(what: what, ratio: a / b))
        }
        add("single-event msgs: 1 tracker / 1 python per-message worker", single1?.eventsPerSecond, perMessage?.eventsPerSecond)
        add("single-event msgs: 1 tracker / 1 python batched worker", single1?.eventsPerSecond, batchedSingle?.eventsPerSecond)
        add("\(batchSize)-event msgs: 1 tracker / 1 python batched worker on single-event msgs", batch1?.eventsPerSecond,
            batchedSingle?.eventsPerSecond)
        add("\(batchSize)-event msgs: 1 tracker / 1 python batched worker on \(batchSize)-event msgs", batch1?.eventsPerSecond,
            batchedBatches?.eventsPerSecond)
        add("single-event msgs: 1 tracker / 1 bare consumer (broker ceiling)", single1?.messagesPerSecond, ceiling?.messagesPerSecond)
        add("single-event msgs: 2 trackers / 1 tracker", single2?.eventsPerSecond, single1?.eventsPerSecond)
        add("\(batchSize)-event msgs: 2 trackers / 1 tracker", batch2?.eventsPerSecond, batch1?.eventsPerSecond)
        add("single-event msgs, 1 tracker: 3-node cluster / single node", clusterDrains.first?.eventsPerSecond, single1?.eventsPerSecond)
        return ratios
    }

    func printTable() {
        print("hindsight-bench ingest — \(events) events per drain run (FleetSimulator, ~24 events/execution), quorum queue")
        print("tracker settings: \(tracker)")
        print("")
        var rows: [[String]] = []
        func rate(_ value: Double) -> String { String(format: "%.0f", value) }
        if let ceiling {
            rows.append([ceiling.name, "\(ceiling.messages)", "1", String(format: "%.2f", ceiling.seconds),
                         rate(ceiling.eventsPerSecond), rate(ceiling.messagesPerSecond), "-"])
        }
        for drain in drains + clusterDrains + children {
            rows.append([drain.name, "\(drain.messages)", "\(drain.events / max(drain.messages, 1))",
                         String(format: "%.2f", drain.seconds), rate(drain.eventsPerSecond), rate(drain.messagesPerSecond),
                         drain.verifiedEvents == drain.events ? "ok" : "\(drain.verifiedEvents) stored!"])
        }
        for baseline in baselines {
            rows.append([baseline.name, "\(baseline.messages)", "\(baseline.events / max(baseline.messages, 1))",
                         String(format: "%.2f", baseline.seconds), rate(baseline.eventsPerSecond),
                         rate(Double(baseline.messages) / baseline.seconds), "-"])
        }
        HindsightBenchmarks.printTable(["run", "messages", "ev/msg", "seconds", "events/s", "msgs/s", "stored"], rows)
        print("")
        if let lag {
            print(String(format: "lag (1 tracker, steady %.0f events/s target, %.0f achieved, %d events): p50 %.1f ms  p99 %.1f ms  max %.1f ms",
                         lag.targetRate, lag.achievedRate, lag.publishedEvents, lag.p50Milliseconds,
                         lag.p99Milliseconds, lag.maxMilliseconds))
        }
        for child in children {
            if let peak = child.peakRSSMiB {
                print(String(format: "tracker peak RSS (child process, VmHWM), %@: %.1f MiB",
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
                  + (sizes.compactedBytesPerExecution.map { String(format: ", %.0f B after VACUUM FULL", $0) } ?? ""))
        }
        let ratios = self.ratios
        if !ratios.isEmpty {
            print("")
            HindsightBenchmarks.printTable(["ratio (events/s; ceiling: msgs/s)", "×"], ratios.map {
                [$0.what, String(format: "%.2f", $0.ratio)]
            })
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(events, forKey: .events)
        try container.encode(batchSize, forKey: .batchSize)
        try container.encode(tracker, forKey: .tracker)
        try container.encodeIfPresent(ceiling, forKey: .ceiling)
        try container.encode(drains, forKey: .drains)
        try container.encode(clusterDrains, forKey: .clusterDrains)
        try container.encode(children, forKey: .children)
        try container.encode(baselines, forKey: .baselines)
        try container.encodeIfPresent(lag, forKey: .lag)
        try container.encodeIfPresent(sizes, forKey: .sizes)
        try container.encode(ratios, forKey: .ratios)
    }
}

/// Learns the best phase order from the order phases actually ran.
///
/// Rule: among executions that **completed** and were **fast** (duration at or below the median duration
/// of the completed executions whose duration is known), take the start-order sequence seen most often;
/// ties go to the sequence with the lower mean duration, then to the one seen first. Without any fast
/// completed execution, all completed executions are used. `[]` when no completed execution has started
/// phases.
enum PhaseOrderMiner {
    static func bestSequence(runs: [DomainAccumulator.Run], sequenceCount: Int) -> Int? {
        guard sequenceCount > 0 else { return nil }
        var completedDurations: [Double] = []
        for run in runs where run.completed && run.sequence >= 0 {
            if let d = run.duration { completedDurations.append(d) }
        }
        let median = Percentile.continuous([0.5], selectingIn: &completedDurations)[0]
        if let best = pick(runs: runs, sequenceCount: sequenceCount, limit: median) { return best }
        return pick(runs: runs, sequenceCount: sequenceCount, limit: nil)
    }

    private static func pick(runs: [DomainAccumulator.Run], sequenceCount: Int, limit: Double?) -> Int? {
        var counts = [Int](repeating: 0, count: sequenceCount)
        var durationSums = [Double](repeating: 0, count: sequenceCount)
        var firstSeen = [Int](repeating: Int.max, count: sequenceCount)
        for (index, run) in runs.enumerated() where run.completed && run.sequence >= 0 {
            if let limit {
                guard let d = run.duration, d <= limit else { continue }
            }
            let s = Int(run.sequence)
            counts[s] += 1
            durationSums[s] += run.duration ?? 0
            if firstSeen[s] == Int.max { firstSeen[s] = index }
        }
        var best: Int?
        for s in 0..<sequenceCount where counts[s] > 0 {
            guard let b = best else {
                best = s
                continue
            }
            let meanS = durationSums[s] / Double(counts[s]), meanB = durationSums[b] / Double(counts[b])
            if counts[s] > counts[b]
                || (counts[s] == counts[b] && (meanS < meanB || (meanS == meanB && firstSeen[s] < firstSeen[b]))) {
                best = s
            }
        }
        return best
    }

    /// The seed's fallback for traces without phase events: the most common planned sequence among
    /// completed executions (ties → first seen).
    static func mostCommonPlannedOrder(_ traces: some Sequence<ExecutionTrace>) -> [String] {
        var counts: [[String]: (count: Int, first: Int)] = [:]
        for (index, trace) in traces.enumerated() where trace.status == .completed {
            guard let plan = trace.plan else { continue }
            let names = plan.phases.map(\.name)
            counts[names, default: (0, index)].count += 1
        }
        return counts.min { a, b in
            a.value.count != b.value.count ? a.value.count > b.value.count : a.value.first < b.value.first
        }?.key ?? []
    }
}

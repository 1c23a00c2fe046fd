/// The figures from one report, and their spread over several seeds (`hindsight-bench learning`).
package struct LearningMeasurement: Sendable, Hashable {
    /// One seed's figures; `nil` where undefined.
    package struct Seed: Sendable, Hashable {
        package var seed: UInt64
        /// (adapted − other) / other of the mean duration of finished executions, last rounds.
        package var durationChangeVsControl: Double?
        package var durationChangeVsSeedRules: Double?
        /// Success-rate difference in points, last rounds.
        package var successPointsVsControl: Double?
        package var successPointsVsSeedRules: Double?
        /// Share of transient failures recovered (0…1), last rounds, per group.
        package var recoveredShare: [AgentGroup: Double]
        /// Per group: (estimate error after 20 executions per domain − error in round 1) / error in round 1.
        package var estimateErrorChange: [AgentGroup: Double]
        /// Per group: estimate error in round 1 and in the first round with ≥ 20 executions per domain.
        package var estimateErrorStart: [AgentGroup: Double]
        package var estimateErrorAfter20: [AgentGroup: Double]
        /// Per group: mean confidence over rounds with ≥ 50 executions per domain in the history.
        package var confidenceAt50: [AgentGroup: Double]
    }

    /// Reads one report's figures.
    package static func seed(_ report: LearningReport) -> Seed {
        let domains = max(1, report.world.domains.count)
        func perDomain(_ round: LearningReport.Round) -> Double { Double(round.historyExecutions) / Double(domains) }
        let start = report.rounds.first
        let after20 = report.rounds.first { perDomain($0) >= 20 }
        let at50 = report.rounds.filter { perDomain($0) >= 50 }
        var seed = Seed(
            seed: report.seed,
            durationChangeVsControl: report.summary.adaptedVsControl?.durationChange,
            durationChangeVsSeedRules: report.summary.adaptedVsSeedRules?.durationChange,
            successPointsVsControl: report.summary.adaptedVsControl?.successPoints,
            successPointsVsSeedRules: report.summary.adaptedVsSeedRules?.successPoints,
            recoveredShare: [:], estimateErrorChange: [:], estimateErrorStart: [:], estimateErrorAfter20: [:], confidenceAt50: [:])
        for group in report.groups {
            let key = group.rawValue
            seed.recoveredShare[group] = report.summary.groups[key]?.recoveredShare
            let before = start?.groups[key]?.estimateError
            let after = after20?.groups[key]?.estimateError
            seed.estimateErrorStart[group] = before
            seed.estimateErrorAfter20[group] = after
            if let before, let after, before > 0 { seed.estimateErrorChange[group] = (after - before) / before }
            let confidences = at50.compactMap { $0.groups[key]?.meanConfidence }
            if !confidences.isEmpty { seed.confidenceAt50[group] = confidences.reduce(0, +) / Double(confidences.count) }
        }
        return seed
    }

    /// Mean, standard deviation, minimum and maximum of the defined values.
    package struct Spread: Sendable, Hashable {
        package var count: Int
        package var mean: Double
        package var sd: Double
        package var min: Double
        package var max: Double

        package init?(_ values: [Double?]) {
            let defined = values.compactMap { $0 }
            guard !defined.isEmpty else { return nil }
            count = defined.count
            mean = defined.reduce(0, +) / Double(defined.count)
            let m = mean
            sd = defined.count > 1 ? (defined.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(defined.count - 1)).squareRoot() : 0
            min = defined.min() ?? 0
            max = defined.max() ?? 0
        }
    }
}

/// The figures of a set of executions (definitions in docs/learning.md).
package enum Figures {
    /// - `mean_duration_s`, `estimate_error`: over finished executions (an aborted run has no duration
    ///   to compare and nothing to estimate);
    /// - `success_rate`: finished / all; `recovered_share`: transient failures recovered / transient
    ///   failures; `mean_confidence`: over all.
    package static func of(_ outcomes: [ExecutionOutcome]) -> LearningReport.GroupFigures {
        let finished = outcomes.filter(\.finished)
        let transient = outcomes.reduce(0) { $0 + $1.transientFailures }
        let recovered = outcomes.reduce(0) { $0 + $1.transientRecovered }
        return LearningReport.GroupFigures(
            executions: outcomes.count,
            meanDurationSeconds: mean(finished.map(\.durationSeconds)),
            successRate: outcomes.isEmpty ? nil : Double(finished.count) / Double(outcomes.count),
            estimateError: mean(finished.map { abs($0.estimatedSeconds - $0.durationSeconds) / $0.durationSeconds }),
            transientFailures: transient, transientRecovered: recovered,
            recoveredShare: transient == 0 ? nil : Double(recovered) / Double(transient),
            meanConfidence: mean(outcomes.map(\.confidence)))
    }

    /// The report of a run from all its outcomes.
    package static func rounds(_ outcomes: [ExecutionOutcome], groups: [AgentGroup], rounds: Int) -> [LearningReport.Round] {
        var history = 0
        return (1...max(1, rounds)).map { round in
            let these = outcomes.filter { $0.round == round }
            var figures: [String: LearningReport.GroupFigures] = [:]
            for group in groups { figures[group.rawValue] = of(these.filter { $0.group == group }) }
            defer { history += these.count }
            return LearningReport.Round(round: round, historyExecutions: history, groups: figures)
        }
    }

    /// The summary over the last `lastRounds` rounds.
    package static func summary(_ outcomes: [ExecutionOutcome], groups: [AgentGroup], rounds: Int, lastRounds: Int) -> LearningReport.Summary {
        let last = max(1, min(lastRounds, rounds))
        let recent = outcomes.filter { $0.round > rounds - last }
        var figures: [String: LearningReport.GroupFigures] = [:]
        for group in groups { figures[group.rawValue] = of(recent.filter { $0.group == group }) }
        let adapted = figures[AgentGroup.adapted.rawValue]
        return LearningReport.Summary(
            lastRounds: last, groups: figures,
            adaptedVsControl: adapted.flatMap { a in figures[AgentGroup.control.rawValue].map { LearningReport.Comparison(a, against: $0) } },
            adaptedVsSeedRules: adapted.flatMap { a in figures[AgentGroup.seedRules.rawValue].map { LearningReport.Comparison(a, against: $0) } })
    }

    static func mean(_ values: [Double]) -> Double? {
        values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
    }
}

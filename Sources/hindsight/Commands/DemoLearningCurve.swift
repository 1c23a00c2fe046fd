import Foundation
import HindsightSimulation

/// The learning curve as text: per round, per group, the figures of the learning report, then the
/// adapted group against the others over the last rounds.
enum DemoLearningCurve {
    static func print(_ report: LearningReport) {
        Swift.print("\n== The learning curve (per round: what each group achieved in the simulated world) ==")
        Swift.print("  duration = mean simulated time of an execution; estimate error = |estimated − actual| / actual total;")
        Swift.print("  recovered = transient failures the agent's recovery got past; confidence = what the adapter said it had")
        var rows: [[String]] = []
        for round in report.rounds {
            for group in report.groups {
                guard let g = round.groups[group.rawValue] else { continue }
                rows.append([
                    "\(round.round)", group.rawValue, String(g.executions), g.meanDurationSeconds.map { "\(DemoReport.f($0)) s" } ?? "–",
                    optionalPercent(g.successRate), optionalPercent(g.estimateError),
                    g.transientFailures > 0 ? "\(optionalPercent(g.recoveredShare, 0)) (\(g.transientRecovered)/\(g.transientFailures))" : "–",
                    g.meanConfidence.map { DemoReport.f($0, 2) } ?? "–",
                ])
            }
        }
        DemoReport.table(["round", "group", "runs", "duration", "success", "estimate error", "recovered", "confidence"], rows)
        let summary = report.summary
        Swift.print("  over the last \(summary.lastRounds) rounds:")
        if let c = summary.adaptedVsControl { Swift.print("    adapted vs control:    \(comparison(c))") }
        if let c = summary.adaptedVsSeedRules { Swift.print("    adapted vs seed rules: \(comparison(c))") }
    }

    static func comparison(_ c: LearningReport.Comparison) -> String {
        [
            c.durationChange.map { "duration \(signedPercent($0))" },
            c.successPoints.map { "success \(signed($0)) points" },
            c.estimateErrorChange.map { "estimate error \(signedPercent($0))" },
            c.recoveredSharePoints.map { "recovered \(signed($0)) points" },
        ].compactMap { $0 }.joined(separator: ", ")
    }

    private static func optionalPercent(_ value: Double?, _ places: Int = 1) -> String {
        value.map { DemoReport.percent($0, places) } ?? "–"
    }

    private static func signed(_ value: Double) -> String { String(format: "%+.1f", value) }
    private static func signedPercent(_ value: Double) -> String { String(format: "%+.1f %%", value * 100) }
}

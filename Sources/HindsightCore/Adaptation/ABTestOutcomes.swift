import Foundation

/// Outcomes per variant and the decision rule.
///
/// Decision: (1) each variant needs ``ABDecisionRule/minimumSamplesPerVariant`` executions; (2) a
/// two-proportion z-test on success rates — if p < α the variant with the higher rate wins; (3) otherwise
/// a Welch t-test on durations — if p < α the faster variant wins; (4) otherwise keep the control.
public struct ABTestOutcomes: Hashable, Codable, Sendable {
    /// Outcomes of variant A.
    public var a = VariantOutcomes()
    /// Outcomes of variant B.
    public var b = VariantOutcomes()

    /// Creates empty outcomes.
    public init() {}

    /// Records one execution's outcome.
    public mutating func record(_ variant: ABTest.Variant, success: Bool, durationSeconds: Double?) {
        switch variant {
        case .a: a.record(success: success, durationSeconds: durationSeconds)
        case .b: b.record(success: success, durationSeconds: durationSeconds)
        }
    }

    /// The decision under `rule`.
    public func decide(rule: ABDecisionRule = ABDecisionRule()) -> ABTestDecision {
        let minimum = rule.minimumSamplesPerVariant
        guard a.count >= minimum, b.count >= minimum else {
            return ABTestDecision(
                verdict: .collectMoreData,
                reason: "Need \(minimum) executions per variant (A has \(a.count), B has \(b.count))")
        }
        let success = SignificanceTests.twoProportionZTest(
            successes1: a.successes, trials1: a.count, successes2: b.successes, trials2: b.count)
        let rates = "success A \(pct(a.successRate)) vs B \(pct(b.successRate)), z=\(fmt(success.statistic)), p=\(fmt(success.pValue))"
        if success.pValue < rule.alpha {
            let better = success.statistic > 0
            return ABTestDecision(
                verdict: better ? .adoptCandidate : .keepControl,
                reason: "\(better ? "B" : "A") has a significantly higher success rate (\(rates), α=\(rule.alpha))",
                successTest: success)
        }
        let duration = SignificanceTests.welchTTest(
            mean1: a.durationMean, variance1: a.durationVariance, count1: a.durationCount,
            mean2: b.durationMean, variance2: b.durationVariance, count2: b.durationCount)
        let times = "mean A \(fmt(a.durationMean)) s vs B \(fmt(b.durationMean)) s, t=\(fmt(duration.statistic)), p=\(fmt(duration.pValue))"
        if duration.pValue < rule.alpha {
            let faster = duration.statistic < 0
            return ABTestDecision(
                verdict: faster ? .adoptCandidate : .keepControl,
                reason: "\(faster ? "B" : "A") is significantly faster (\(times)); success rates do not differ significantly (\(rates))",
                successTest: success, durationTest: duration)
        }
        return ABTestDecision(
            verdict: .keepControl,
            reason: "No significant difference at α=\(rule.alpha) (\(rates); \(times)); keep the control",
            successTest: success, durationTest: duration)
    }

    private func pct(_ x: Double) -> String { InsightWriter.oneDecimal(x * 100) + "%" }
    private func fmt(_ x: Double) -> String { String(format: "%.4g", x) }
}

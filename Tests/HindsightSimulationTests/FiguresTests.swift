import Foundation
import HindsightCore
import HindsightSimulation
import Testing

@Suite struct FiguresTests {
    static func outcome(_ group: AgentGroup, round: Int = 1, finished: Bool, duration: Double, estimate: Double, transient: Int = 0, recovered: Int = 0, confidence: Double = 0) -> ExecutionOutcome {
        ExecutionOutcome(
            group: group, round: round, index: 0, executionID: UUID(), domain: "d", finished: finished, durationSeconds: duration,
            estimatedSeconds: estimate, confidence: confidence, transientFailures: transient, transientRecovered: recovered,
            recoveries: [], phaseSeconds: [:], startOrder: [])
    }

    @Test func figuresFollowTheDefinitions() {
        let figures = Figures.of([
            Self.outcome(.adapted, finished: true, duration: 100, estimate: 80, transient: 2, recovered: 1, confidence: 0.5),
            Self.outcome(.adapted, finished: true, duration: 200, estimate: 200, confidence: 0.7),
            Self.outcome(.adapted, finished: false, duration: 50, estimate: 10, transient: 1, confidence: 0.9),
        ])
        #expect(figures.executions == 3)
        #expect(figures.meanDurationSeconds == 150)
        #expect(figures.successRate == 2.0 / 3.0)
        #expect(figures.estimateError == 0.1)
        #expect(figures.transientFailures == 3 && figures.transientRecovered == 1)
        #expect(figures.recoveredShare == 1.0 / 3.0)
        #expect(abs((figures.meanConfidence ?? 0) - 0.7) < 1e-12)
        let empty = Figures.of([])
        #expect(empty.meanDurationSeconds == nil && empty.successRate == nil && empty.recoveredShare == nil)
    }

    @Test func comparisonsAreRelativeForDurationAndPointsForRates() {
        let a = LearningReport.GroupFigures(executions: 1, meanDurationSeconds: 90, successRate: 0.9, estimateError: 0.2, recoveredShare: 0.8)
        let b = LearningReport.GroupFigures(executions: 1, meanDurationSeconds: 100, successRate: 0.8, estimateError: 0.4, recoveredShare: nil)
        let c = LearningReport.Comparison(a, against: b)
        #expect(abs((c.durationChange ?? 0) + 0.1) < 1e-12)
        #expect(abs((c.successPoints ?? 0) - 10) < 1e-9)
        #expect(c.estimateErrorChange == -0.5)
        #expect(c.recoveredSharePoints == nil)
    }

    @Test func theReportJSONHasTheContractKeysWithNulls() throws {
        let outcomes = [Self.outcome(.adapted, finished: true, duration: 10, estimate: 10), Self.outcome(.control, finished: false, duration: 5, estimate: 1)]
        let report = LearningReport(
            seed: 42, generatedAt: Date(timeIntervalSince1970: 0), world: .standard(seed: 42), groups: [.adapted, .control, .seedRules],
            rounds: Figures.rounds(outcomes, groups: [.adapted, .control, .seedRules], rounds: 1),
            summary: Figures.summary(outcomes, groups: [.adapted, .control, .seedRules], rounds: 1, lastRounds: 3))
        let json = try #require(JSONSerialization.jsonObject(with: report.jsonData()) as? [String: Any])
        #expect(Set(json.keys).isSuperset(of: ["version", "seed", "generated_at", "world", "groups", "rounds", "summary"]))
        #expect(json["groups"] as? [String] == ["adapted", "control", "seed_rules"])
        let round = try #require((json["rounds"] as? [[String: Any]])?.first)
        #expect(round["history_executions"] as? Int == 0)
        let control = try #require((round["groups"] as? [String: Any])?["control"] as? [String: Any])
        #expect(Set(control.keys) == ["executions", "mean_duration_s", "success_rate", "estimate_error", "transient_failures",
                                      "transient_recovered", "recovered_share", "mean_confidence"])
        #expect(control["mean_duration_s"] is NSNull)
        let summary = try #require(json["summary"] as? [String: Any])
        #expect(summary["last_rounds"] as? Int == 1)
        let versus = try #require(summary["adapted_vs_control"] as? [String: Any])
        #expect(Set(versus.keys) == ["duration_change", "success_points", "estimate_error_change", "recovered_share_points"])
        #expect(try LearningReport.read(from: report.jsonData()) == report)
    }

    @Test func seedRulesLearnAStrategyAfterOneSuccess() {
        var rules = SeedRules()
        let question = RecoveryQuestion(
            domain: "d", phase: "p", errorType: "HTTPError", message: "Rate limit exceeded (429)", attempt: 1, elapsedSeconds: 1,
            consecutiveFailures: 1, estimatedSeconds: 10, errorsSoFar: 1)
        #expect(rules.advise(question).action == .retry)  // unknown to the seed's substring rules → retry
        var outcome = Self.outcome(.seedRules, finished: true, duration: 1, estimate: 1)
        outcome.recoveries = [RecoveryRecord(phase: "p", action: .simplify, success: true)]
        rules.learn(from: [outcome])
        #expect(rules.advise(question).action == .simplify)
        var late = question
        late.attempt = 4
        #expect(rules.advise(late).action == .escalate)
    }
}

import Foundation
import Testing
@testable import HindsightCore

@Suite("RecoveryPolicy (seed test_self_healing_manager)")
struct RecoveryPolicyTests {
    let phase = Fixtures.phase("test_phase", "60 seconds")

    @Test func retryForTimeout() {
        let s = RecoveryPolicy().strategy(for: .timeout, phase: phase, retryCount: 0)
        #expect(s.kind == .retry && s.phaseName == "test_phase" && s.actions.count == 3 && s.confidence == 0.7)
        #expect(s.reason == "Timeout may be transient" && s.failureType == .timeout)
        #expect(s.actions[1] == "Retry phase 'test_phase'" && s.actions[0].hasPrefix("Wait "))
        #expect(abs(s.estimatedCost - (72 + s.delaySeconds!)) < 1e-9)
    }

    @Test func escalateAfterMaxRetries() {
        let s = RecoveryPolicy().strategy(for: .timeout, phase: phase, retryCount: 3)
        #expect(s.kind == .escalate && s.reason == "Max retries exceeded" && s.estimatedCost == 300 && s.confidence == 1)
    }

    @Test func abortAfterConsecutiveFailures() {
        let s = RecoveryPolicy().strategy(for: .timeout, phase: phase, consecutiveFailures: 5)
        #expect(s.kind == .abort && s.estimatedCost == 0)
    }

    /// The seed's default table, including syntax retry-then-skip and its costs (unit-aware now).
    @Test func defaultTable() {
        let policy = RecoveryPolicy()
        func kind(_ f: FailureType, _ r: Int = 0) -> RecoveryAction { policy.strategy(for: f, phase: phase, retryCount: r).kind }
        #expect(kind(.timeout) == .retry && kind(.networkError) == .retry && kind(.unknownError) == .retry)
        #expect(kind(.resourceNotFound) == .simplify && kind(.resourceExhaustion) == .simplify)
        #expect(kind(.permissionDenied) == .escalate)
        #expect(kind(.syntaxError, 0) == .retry && kind(.syntaxError, 1) == .skip)
        let simplify = policy.strategy(for: .resourceExhaustion, phase: phase)
        #expect(simplify.estimatedCost == 48 && simplify.confidence == 0.6 && simplify.reason == "Reduce resource requirements")
        let minutes = policy.strategy(for: .resourceExhaustion, phase: Fixtures.phase("m", "5 minutes"))
        #expect(minutes.estimatedCost == 240)
        let skip = policy.strategy(for: .syntaxError, phase: phase, retryCount: 1)
        #expect(skip.estimatedCost == 0 && skip.confidence == 0.5 && skip.actions[0] == "Mark phase 'test_phase' as skipped")
    }

    @Test func strategyConfidenceValues() {
        for failure in FailureType.allCases {
            let s = RecoveryPolicy().strategy(for: failure, phase: phase)
            #expect(s.confidence >= 0 && s.confidence <= 1 && s.estimatedCost >= 0)
        }
    }

    @Test func exponentialBackoffWithDeterministicJitter() {
        var config = RecoveryPolicy.Configuration()
        config.jitterFraction = 0
        let plain = RecoveryPolicy(configuration: config)
        #expect((0..<8).map { plain.backoffDelay(retryCount: $0, phaseName: "p") } == [5, 10, 20, 40, 80, 160, 300, 300])
        let policy = RecoveryPolicy()
        let delays = (0..<50).map { policy.backoffDelay(retryCount: 1, phaseName: "p\($0)") }
        #expect(delays.allSatisfy { $0 >= 8 && $0 <= 12 } && Set(delays).count > 40)
        #expect(delays == (0..<50).map { RecoveryPolicy().backoffDelay(retryCount: 1, phaseName: "p\($0)") })
        var seeded = RecoveryPolicy.Configuration()
        seeded.jitterSeed = 42
        #expect(RecoveryPolicy(configuration: seeded).backoffDelay(retryCount: 1, phaseName: "p0") != delays[0])
        let a = policy.backoffDelay(retryCount: 2, phaseName: "p", executionID: Fixtures.id(1))
        let b = policy.backoffDelay(retryCount: 2, phaseName: "p", executionID: Fixtures.id(2))
        #expect(a != b)
    }

    /// Outcomes are recorded explicitly (no simulated random success); the choice follows what worked.
    @Test func learnsWhatWorkedPerFailureAndPhase() {
        var policy = RecoveryPolicy()
        let simplify = try! RecoveryStrategy(kind: .simplify, phaseName: "test_phase", reason: "", actions: [], confidence: 0.6,
                                             estimatedCost: 1, failureType: .timeout)
        for _ in 0..<3 { policy.recordOutcome(of: simplify, success: true) }
        let learned = policy.strategy(for: .timeout, phase: phase)
        #expect(learned.kind == .simplify && learned.confidence == 0.8)
        #expect(learned.reason == "Learned: simplify worked in 3 of 3 attempts for timeout in 'test_phase'")
        #expect(policy.strategy(for: .networkError, phase: phase).kind == .retry)          // other failure type
        #expect(policy.strategy(for: .timeout, phase: Fixtures.phase("other")).kind == .retry) // other phase
        #expect(policy.strategy(for: .timeout, phase: phase, retryCount: 3).kind == .escalate)
    }

    @Test func defaultWinsTiesAndNeedsEvidenceToLose() {
        var policy = RecoveryPolicy()
        let retry = policy.strategy(for: .timeout, phase: phase)
        let skip = try! RecoveryStrategy(kind: .skip, phaseName: "test_phase", reason: "", actions: [], confidence: 0.5,
                                         estimatedCost: 0, failureType: .timeout)
        policy.recordOutcome(of: skip, success: true)
        policy.recordOutcome(of: skip, success: true)
        #expect(policy.strategy(for: .timeout, phase: phase).kind == .retry) // only 2 observations
        policy.recordOutcome(of: retry, success: true)
        policy.recordOutcome(of: retry, success: true)
        policy.recordOutcome(of: skip, success: true)
        // retry 2/2 → 0.75, skip 3/3 → 0.8
        #expect(policy.strategy(for: .timeout, phase: phase).kind == .skip)
        policy.recordOutcome(of: retry, success: true)
        policy.recordOutcome(of: retry, success: true) // retry 4/4 → 0.833
        let back = policy.strategy(for: .timeout, phase: phase)
        #expect(back.kind == .retry && abs(back.confidence - 5.0 / 6) < 1e-12)
    }

    @Test func failingDefaultMovesDownTheLadder() {
        var policy = RecoveryPolicy()
        let retry = policy.strategy(for: .networkError, phase: phase)
        for _ in 0..<3 { policy.recordOutcome(of: retry, success: false) }
        let next = policy.strategy(for: .networkError, phase: phase)
        #expect(next.kind == .simplify && next.reason == "Default retry failed 3 of 3 times for network_error in 'test_phase'")
        let simplify = policy.strategy(for: .resourceNotFound, phase: phase)
        for _ in 0..<3 { policy.recordOutcome(of: simplify, success: false) }
        #expect(policy.strategy(for: .resourceNotFound, phase: phase).kind == .escalate)
    }

    @Test func recoveryStatisticsAndHistory() throws {
        var policy = RecoveryPolicy()
        #expect(policy.statistics().totalAttempts == 0 && policy.statistics().mostUsedStrategy == nil)
        let phase2 = Fixtures.phase("phase2", "30 seconds")
        for success in [true, false, true] { policy.recordOutcome(of: policy.strategy(for: .timeout, phase: phase), success: success) }
        policy.recordOutcome(of: policy.strategy(for: .permissionDenied, phase: phase2), success: true)
        let stats = policy.statistics()
        #expect(stats.totalAttempts == 4 && stats.phasesWithFailures == 2)
        #expect(stats.strategyCounts == ["retry": 3, "escalate": 1])
        #expect(stats.mostUsedStrategy == .retry && stats.mostSuccessfulStrategy == .escalate)
        #expect(abs(stats.successRates["retry"]! - 2.0 / 3) < 1e-12 && stats.averageSuccessRateByPhase["phase2"] == 1)
        let restored = try JSONDecoder().decode(RecoveryPolicy.self, from: JSONEncoder().encode(policy))
        #expect(restored == policy && restored.strategy(for: .timeout, phase: phase) == policy.strategy(for: .timeout, phase: phase))
    }

    @Test func shouldAbort() {
        let policy = RecoveryPolicy()
        let empty = Fixtures.trace(1, phases: [], status: .running)
        #expect(policy.shouldAbort(empty, consecutiveFailures: 5) && !policy.shouldAbort(empty, consecutiveFailures: 3))
        var errors = empty
        for i in 0..<12 { errors.record(.error(type: "E", message: "Error \(i)", at: Fixtures.epoch)) }
        #expect(policy.shouldAbort(errors, consecutiveFailures: 0))
        var stuck = empty
        for i in 0..<21 { stuck.record(.toolCall("t\(i)", at: Fixtures.epoch)) }
        #expect(policy.shouldAbort(stuck, consecutiveFailures: 0))
        stuck.record(.phaseEnd("p", at: Fixtures.epoch))
        #expect(!policy.shouldAbort(stuck, consecutiveFailures: 0))
    }

    @Test func recoveryReport() throws {
        var trace = Fixtures.trace(1, phases: [], status: .running)
        let policy = RecoveryPolicy()
        for _ in 0..<2 {
            let s = policy.strategy(for: .timeout, phase: phase)
            trace.record(.recoveryAttempt(s, at: Fixtures.epoch.adding(seconds: 3)))
        }
        try trace.complete(at: Fixtures.epoch.adding(seconds: 10), status: .recovered, result: "Recovered")
        let report = RecoveryPolicy.report(for: trace)
        #expect(report.executionID == Fixtures.id(1).uuidString.lowercased() && report.recoveryCount == 2)
        #expect(report.strategiesUsed == ["retry": 2] && report.phasesWithRecovery == ["test_phase"])
        #expect(report.executionRecovered && report.finalStatus == .recovered)
        #expect(trace.events.last?.timestamp == Fixtures.epoch.adding(seconds: 3))
    }
}

@Suite("RecoveryPolicy learning limits")
struct RecoveryPolicyLearningLimitTests {
    @Test func escalationNeverBecomesALearnedRecovery() {
        var policy = RecoveryPolicy()
        let phase = Fixtures.phase("p")
        let escalate = policy.strategy(for: .timeout, phase: phase, retryCount: 3)
        for _ in 0..<10 { policy.recordOutcome(of: escalate, success: true) }
        #expect(policy.strategy(for: .timeout, phase: phase).kind == .retry)
        let permission = policy.strategy(for: .permissionDenied, phase: phase)
        for _ in 0..<5 { policy.recordOutcome(of: permission, success: false) }
        let again = policy.strategy(for: .permissionDenied, phase: phase)
        #expect(again.kind == .escalate && again.reason == "Permission issues require manual intervention")
    }
}

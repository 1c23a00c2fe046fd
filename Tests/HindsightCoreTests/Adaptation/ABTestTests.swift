import Foundation
import Testing
@testable import HindsightCore

@Suite("A/B testing")
struct ABTestTests {
    static func test(share: Double = 0.5) -> ABTest {
        let plan = Fixtures.plan([Fixtures.phase("a"), Fixtures.phase("b")])
        let adapted = AdaptationEngine().adapt(plan, insights: AdaptationEngineTests.insights(order: ["b", "a"]))
        return AdaptationEngine().makeABTest(name: "exp-1", original: plan, adapted: adapted, candidateShare: share)
    }

    @Test func assignmentIsStableAndFollowsTheSplit() {
        let test = Self.test(share: 0.3)
        let ids = (0..<10_000).map(Fixtures.id)
        let b = ids.count { test.variant(for: $0) == .b }
        #expect(b > 2800 && b < 3200)
        #expect(ids.allSatisfy { test.variant(for: $0) == Self.test(share: 0.3).variant(for: $0) })
        #expect(ids.allSatisfy { Self.test(share: 0).variant(for: $0) == .a && Self.test(share: 1).variant(for: $0) == .b })
        let id = Fixtures.id(7)
        #expect(test.plan(for: id) == (test.variant(for: id) == .b ? test.candidate.plan : test.control))
    }

    /// Golden values: FNV-1a 64 of known inputs (reference: the FNV specification's test vectors).
    @Test func stableHashVectors() {
        #expect(StableHash.fnv1a("".utf8) == 0xcbf2_9ce4_8422_2325)
        #expect(StableHash.fnv1a("a".utf8) == 0xaf63_dc4c_8601_ec8c)
        #expect(StableHash.fnv1a("foobar".utf8) == 0x8594_4171_f739_67e8)
    }

    @Test func needsMinimumSamples() {
        var outcomes = ABTestOutcomes()
        for i in 0..<29 { outcomes.record(.a, success: true, durationSeconds: Double(i)) }
        for i in 0..<40 { outcomes.record(.b, success: true, durationSeconds: Double(i)) }
        let decision = outcomes.decide()
        #expect(decision.verdict == .collectMoreData && decision.reason == "Need 30 executions per variant (A has 29, B has 40)")
    }

    @Test func higherSuccessRateWins() throws {
        var outcomes = ABTestOutcomes()
        for i in 0..<100 { outcomes.record(.a, success: i < 45, durationSeconds: 10) }
        for i in 0..<100 { outcomes.record(.b, success: i < 60, durationSeconds: 10) }
        let decision = outcomes.decide()
        #expect(decision.verdict == .adoptCandidate)
        let z = try #require(decision.successTest)
        #expect(abs(z.statistic - 2.1239769762143657) < 1e-9 && abs(z.pValue - 0.033672068856345876) < 1e-9)
        #expect(outcomes.decide(rule: ABDecisionRule(alpha: 0.01)).verdict == .keepControl)
    }

    @Test func fasterVariantWinsWhenSuccessIsEqual() {
        var outcomes = ABTestOutcomes()
        for i in 0..<40 { outcomes.record(.a, success: true, durationSeconds: 100 + Double(i % 7)) }
        for i in 0..<40 { outcomes.record(.b, success: true, durationSeconds: 80 + Double(i % 5)) }
        let decision = outcomes.decide()
        #expect(decision.verdict == .adoptCandidate && decision.durationTest!.statistic < 0)
        var slower = ABTestOutcomes()
        for i in 0..<40 { slower.record(.a, success: true, durationSeconds: 80 + Double(i % 5)) }
        for i in 0..<40 { slower.record(.b, success: true, durationSeconds: 100 + Double(i % 7)) }
        #expect(slower.decide().verdict == .keepControl)
    }

    @Test func noDifferenceKeepsControl() {
        var test = Self.test()
        for n in 0..<400 {
            let id = Fixtures.id(n)
            test.recordOutcome(executionID: id, success: n % 4 != 0, durationSeconds: 50 + Double(n % 10))
        }
        let decision = test.decision()
        #expect(decision.verdict == .keepControl && decision.reason.hasPrefix("No significant difference"))
        #expect(test.outcomes.a.count + test.outcomes.b.count == 400)
    }

    @Test func outcomesAreCodable() throws {
        var test = Self.test()
        test.recordOutcome(executionID: Fixtures.id(1), success: true, durationSeconds: 3)
        test.recordOutcome(executionID: Fixtures.id(1), success: false, durationSeconds: 5)
        let decoded = try JSONDecoder().decode(ABTest.self, from: JSONEncoder().encode(test))
        #expect(decoded == test)
        let v = test.variant(for: Fixtures.id(1)) == .a ? test.outcomes.a : test.outcomes.b
        #expect(v.count == 2 && v.successRate == 0.5 && v.durationMean == 4 && v.durationVariance == 2)
    }
}

import Testing
@testable import HindsightCore

@Suite("Significance tests against textbook values")
struct SignificanceTestsTests {
    /// Welch's t-test, Wikipedia "Welch's t-test" example 1: t = −2.46, ν = 24.99, p = 0.021 (scipy: −2.455356, 0.021378).
    @Test func welchExample() throws {
        let a1 = [27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1, 21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4]
        let a2 = [27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0, 24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4]
        var o1 = VariantOutcomes(), o2 = VariantOutcomes()
        for x in a1 { o1.record(success: true, durationSeconds: x) }
        for x in a2 { o2.record(success: true, durationSeconds: x) }
        #expect(abs(o1.durationVariance - 7.867428571428571) < 1e-9)
        let r = SignificanceTests.welchTTest(mean1: o2.durationMean, variance1: o2.durationVariance, count1: 15,
                                             mean2: o1.durationMean, variance2: o1.durationVariance, count2: 15)
        #expect(abs(r.statistic - -2.455356398286006) < 1e-9)
        #expect(abs(r.degreesOfFreedom! - 24.98853) < 1e-4)
        #expect(abs(r.pValue - 0.021378001462866992) < 1e-6)
    }

    /// Two-proportion z-test: 45/100 vs 60/100 → z = 2.124, p = 0.0337.
    @Test func zTestExample() {
        let r = SignificanceTests.twoProportionZTest(successes1: 45, trials1: 100, successes2: 60, trials2: 100)
        #expect(abs(r.statistic - 2.1239769762143657) < 1e-12 && abs(r.pValue - 0.033672068856345876) < 1e-12)
        let none = SignificanceTests.twoProportionZTest(successes1: 10, trials1: 10, successes2: 5, trials2: 5)
        #expect(none.statistic == 0 && none.pValue == 1)
    }

    @Test func distributions() {
        #expect(abs(SignificanceTests.normalCDF(1.959963984540054) - 0.975) < 1e-12)
        #expect(abs(SignificanceTests.regularizedIncompleteBeta(0.4, a: 2, b: 3) - 0.5248) < 1e-12)
        #expect(SignificanceTests.regularizedIncompleteBeta(0, a: 2, b: 3) == 0)
        // t = 2.228 with 10 df is the two-sided 5 % critical value.
        let r = SignificanceTests.welchTTest(mean1: 0, variance1: 1, count1: 6, mean2: 2.228138851986274 * (2.0 / 6).squareRoot(),
                                             variance2: 1, count2: 6)
        #expect(abs(r.degreesOfFreedom! - 10) < 1e-9 && abs(r.pValue - 0.05) < 1e-9)
    }
}

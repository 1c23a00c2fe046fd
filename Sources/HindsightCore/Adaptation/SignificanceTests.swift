import Foundation

/// The statistical tests behind A/B decisions.
public enum SignificanceTests {
    /// The result of a test: the statistic and its two-sided p-value.
    public struct Result: Hashable, Codable, Sendable {
        /// The test statistic (z or t).
        public var statistic: Double
        /// Degrees of freedom (Welch–Satterthwaite) for t-tests; `nil` for z-tests.
        public var degreesOfFreedom: Double?
        /// Two-sided p-value.
        public var pValue: Double
    }

    /// Two-proportion z-test with pooled variance: `z = (p₂ − p₁) / √(p(1−p)(1/n₁ + 1/n₂))`.
    ///
    /// Returns `z = 0, p = 1` when the pooled rate is 0 or 1 (no variance) or a sample is empty.
    public static func twoProportionZTest(successes1: Int, trials1: Int, successes2: Int, trials2: Int) -> Result {
        guard trials1 > 0, trials2 > 0 else { return Result(statistic: 0, pValue: 1) }
        let p1 = Double(successes1) / Double(trials1), p2 = Double(successes2) / Double(trials2)
        let pooled = Double(successes1 + successes2) / Double(trials1 + trials2)
        let se = (pooled * (1 - pooled) * (1 / Double(trials1) + 1 / Double(trials2))).squareRoot()
        guard se > 0 else { return Result(statistic: 0, pValue: 1) }
        let z = (p2 - p1) / se
        return Result(statistic: z, pValue: erfc(abs(z) / 2.0.squareRoot()))
    }

    /// Welch's unequal-variance t-test of mean₂ − mean₁ from summary statistics (sample variances).
    ///
    /// Returns `t = 0, p = 1` when either sample has fewer than two values or both variances are 0.
    public static func welchTTest(
        mean1: Double, variance1: Double, count1: Int, mean2: Double, variance2: Double, count2: Int
    ) -> Result {
        guard count1 >= 2, count2 >= 2 else { return Result(statistic: 0, pValue: 1) }
        let a = variance1 / Double(count1), b = variance2 / Double(count2)
        guard a + b > 0 else { return Result(statistic: 0, pValue: 1) }
        let spread: Double = (a + b).squareRoot()
        let t: Double = (mean2 - mean1) / spread
        let sum: Double = a + b
        let denominator: Double = a * a / Double(count1 - 1) + b * b / Double(count2 - 1)
        let df: Double = sum * sum / denominator
        let x: Double = df / (df + t * t)
        let p = regularizedIncompleteBeta(x, a: df / 2, b: 0.5)
        return Result(statistic: t, degreesOfFreedom: df, pValue: Swift.min(1, Swift.max(0, p)))
    }

    /// The standard normal cumulative distribution function.
    public static func normalCDF(_ x: Double) -> Double { 0.5 * erfc(-x / 2.0.squareRoot()) }

    /// The regularized incomplete beta function Iₓ(a, b) (continued fraction, modified Lentz).
    public static func regularizedIncompleteBeta(_ x: Double, a: Double, b: Double) -> Double {
        guard x > 0 else { return 0 }
        guard x < 1 else { return 1 }
        let logGammas: Double = lgamma(a + b) - lgamma(a) - lgamma(b)
        let logFront: Double = logGammas + a * log(x) + b * log(1 - x)
        if x < (a + 1) / (a + b + 2) {
            return exp(logFront) * continuedFraction(x, a: a, b: b) / a
        }
        return 1 - exp(logFront) * continuedFraction(1 - x, a: b, b: a) / b
    }

    private static func continuedFraction(_ x: Double, a: Double, b: Double) -> Double {
        let tiny = 1e-300
        var c = 1.0, d = 1 - (a + b) * x / (a + 1)
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var h = d
        for m in 1...300 {
            let m = Double(m)
            var numerator = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
            d = 1 + numerator * d; if abs(d) < tiny { d = tiny }
            c = 1 + numerator / c; if abs(c) < tiny { c = tiny }
            d = 1 / d
            h *= d * c
            numerator = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
            d = 1 + numerator * d; if abs(d) < tiny { d = tiny }
            c = 1 + numerator / c; if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < 1e-15 { break }
        }
        return h
    }
}

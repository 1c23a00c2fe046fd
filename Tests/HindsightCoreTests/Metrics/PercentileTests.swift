import Testing
@testable import HindsightCore

/// Values checked against PostgreSQL: `SELECT percentile_cont(p) WITHIN GROUP (ORDER BY x) FROM generate_series(1,100) x`.
@Suite("Percentile (PostgreSQL percentile_cont)")
struct PercentileTests {
    static let oneToHundred = (1...100).map(Double.init)

    @Test func oneToHundred() throws {
        let sorted = Self.oneToHundred
        #expect(abs(Percentile.continuous(0.5, sorted: sorted)! - 50.5) < 1e-9)
        #expect(abs(Percentile.continuous(0.95, sorted: sorted)! - 95.05) < 1e-9)
        #expect(abs(Percentile.continuous(0.99, sorted: sorted)! - 99.01) < 1e-9)
        #expect(Percentile.continuous(0, sorted: sorted) == 1 && Percentile.continuous(1, sorted: sorted) == 100)
        #expect(abs(Percentile.continuous(0.9, sorted: sorted)! - 90.1) < 1e-9)
    }

    @Test func smallInputs() throws {
        #expect(Percentile.continuous(0.5, sorted: []) == nil)
        #expect(Percentile.continuous(0.5, sorted: [5]) == 5)
        #expect(Percentile.continuous(0.5, sorted: [1, 10]) == 5.5)
        let ten = (1...10).map(Double.init)
        #expect(Percentile.continuous(0.5, sorted: ten) == 5.5)
        #expect(abs(Percentile.continuous(0.95, sorted: ten)! - 9.55) < 1e-9)
        #expect(try Percentile.continuous(0.25, of: [4, 1, 3, 2]) == 1.75)
        #expect(throws: ModelError.percentileOutOfRange(1.5)) { try Percentile.continuous(1.5, of: [1]) }
    }

    /// Seed test_calculate_percentiles / test_percentiles_edge_cases (percent form, "p50" keys).
    @Test func seedPercentForm() throws {
        let result = try MetricsCollector.percentiles(of: Self.oneToHundred.reversed(), percents: [50, 95, 99, 99.9])
        #expect(abs(result["p50"]! - 50.5) < 1e-9 && abs(result["p95"]! - 95.05) < 1e-9 && abs(result["p99"]! - 99.01) < 1e-9)
        #expect(result["p99.9"] != nil)
        #expect(try MetricsCollector.percentiles(of: [], percents: [50]) == ["p50": 0])
        #expect(try MetricsCollector.percentiles(of: [5], percents: [50]) == ["p50": 5])
        #expect(throws: ModelError.percentileOutOfRange(101)) { try MetricsCollector.percentiles(of: [], percents: [101]) }
    }
}

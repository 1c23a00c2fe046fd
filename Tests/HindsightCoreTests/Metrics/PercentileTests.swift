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

@Suite("Percentile by selection")
struct PercentileSelectionTests {
    @Test(arguments: [1, 2, 3, 10, 101, 1000, 5000])
    func matchesSorting(_ n: Int) {
        var generator: UInt64 = StableHash.offsetBasis &+ UInt64(n)
        let fractions = [0.99, 0.5, 0, 0.75, 1, 0.9, 0.95, 0.25]
        for duplicates in [false, true] {
            var values = (0..<n).map { _ in
                generator = StableHash.mix(generator)
                return duplicates ? Double(generator % 7) : Double(generator % 1_000_000) / 7
            }
            let sorted = values.sorted()
            let selected = Percentile.continuous(fractions, selectingIn: &values)
            for (fraction, value) in zip(fractions, selected) {
                #expect(value == Percentile.continuous(fraction, sorted: sorted))
            }
            #expect(values.sorted() == sorted)
        }
        var empty: [Double] = []
        #expect(Percentile.continuous([0.5], selectingIn: &empty) == [nil])
    }

    @Test func adversarialInputs() {
        for values in [Array(repeating: 3.0, count: 2000), (0..<2000).map(Double.init), (0..<2000).reversed().map(Double.init)] {
            var copy = values
            let selected = Percentile.continuous([0.5, 0.9], selectingIn: &copy)
            #expect(selected == [Percentile.continuous(0.5, sorted: values.sorted()), Percentile.continuous(0.9, sorted: values.sorted())])
        }
    }
}

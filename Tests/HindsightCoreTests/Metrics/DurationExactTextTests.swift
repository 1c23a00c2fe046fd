import Testing
@testable import HindsightCore

/// Estimates travel from `phases.estimated_duration_s` into plan text and back through the parser: the
/// round trip must be exact so the core's estimate equals the stored one.
@Suite("Duration text, exact")
struct DurationExactTextTests {
    @Test(arguments: [
        (2.5, "2.5 seconds"), (0.1 + 0.2, "0.30000000000000004 seconds"), (0.000_012_5, "0.0000125 seconds"),
        (60.0, "1 minute"), (1.0, "1 second"), (150.0, "2 minutes 30 seconds"), (0.0, "0 seconds"),
        (1.5e17, "150000000000000000 seconds"), (123.456, "123.456 seconds"),
    ])
    func exactText(_ seconds: Double, _ text: String) {
        #expect(DurationFormatter.exactText(seconds: seconds) == text)
        #expect(DurationParser.seconds(in: text) == seconds)
    }

    @Test("random estimates read back bit for bit")
    func roundTrips() {
        var state: UInt64 = 11
        var values: [Double] = [.leastNonzeroMagnitude, 1e-300, 0.1, 0.3, .greatestFiniteMagnitude, 9_007_199_254_740_992, 4_503_599_627_370_495.5]
        for _ in 0..<5000 {
            state = StableHash.mix(state)
            values.append(Double(bitPattern: state & 0x7FFF_FFFF_FFFF_FFFF)) // any positive magnitude
            values.append(Double(state % 100_000_000) / 1000)       // millisecond estimates
            values.append(Double(state % 10_000) / 7)               // repeating fractions
        }
        for value in values where value.isFinite && value >= 0 {
            let text = DurationFormatter.exactText(seconds: value)
            #expect(DurationParser.seconds(in: text) == value, "\(value) → \(text)")
        }
    }

    @Test("decimals are correctly rounded: 0.3 is 0.3, not 3 × 0.1")
    func correctlyRounded() {
        #expect(DurationParser.seconds(in: "0.3 seconds") == 0.3)
        #expect(DurationParser.seconds(in: "1.23 s") == 1.23)
        #expect(DurationParser.seconds(in: "0.1 minutes") == 0.1 * 60)
        #expect(DurationParser.seconds(in: "12345678901234567890.5 seconds") == 12345678901234567890.5)
    }

    @Test("huge or odd input never traps")
    func hugeInput() {
        #expect(DurationFormatter.text(seconds: 1e300) == DurationFormatter.text(seconds: 1e15))
        #expect(DurationFormatter.text(seconds: .infinity) == DurationFormatter.text(seconds: 1e15))
        #expect(DurationFormatter.text(seconds: .nan) == "0 seconds")
        #expect(DurationFormatter.exactText(seconds: -1) == "0 seconds" && DurationFormatter.exactText(seconds: .nan) == "0 seconds")
    }
}

import Foundation
import Testing
@testable import HindsightCore

@Suite("DurationParser")
struct DurationParserTests {
    /// Seed test_parse_duration, plus the seed's documented examples with its bugs fixed.
    @Test(arguments: [
        ("5 minutes", 300.0), ("2 hours", 7200), ("30 seconds", 30), ("1.5 minutes", 90),
        ("1 hour 30 minutes", 5400), ("30s", 30), ("500 ms", 0.5), ("2 days", 172_800),
        ("0 minutes", 0), ("5", 300), ("1h30m", 5400), ("about 5 min", 300), ("5-10 minutes", 600),
        ("2 to 3 hours", 10_800), ("45 Seconds", 45), ("1 week", 604_800), ("90 sec", 90),
    ])
    func parses(_ text: String, _ seconds: Double) {
        #expect(DurationParser.seconds(in: text) == seconds)
    }

    @Test func textWithoutNumberIsUnknown() {
        #expect(DurationParser.seconds(in: "ten minutes") == nil)
        #expect(DurationParser.seconds(in: "") == nil)
        #expect(Fixtures.phase("p", "soon").estimatedSeconds == nil)
    }

    @Test(arguments: [(0.0, "0 seconds"), (45, "45 seconds"), (150, "2 minutes 30 seconds"), (3600, "1 hour"),
                      (5400, "1 hour 30 minutes"), (216, "3 minutes 36 seconds"), (0.2, "1 second"), (60, "1 minute")])
    func formatsAndRoundTrips(_ seconds: Double, _ text: String) {
        #expect(DurationFormatter.text(seconds: seconds) == text)
        #expect(DurationParser.seconds(in: text) == seconds.rounded(.up))
    }
}

@Suite("DecimalText")
struct DecimalTextTests {
    /// The fast path must print exactly what printf("%.1f") (and Python's {x:.1f}) prints.
    @Test func matchesPrintf() {
        var generator: UInt64 = 7
        var values: [Double] = [0, 0.05, 0.15, 0.25, 0.35, 0.45, 2.5, 83.333, 80, 99.95, 1e6 + 0.05, 123456.789, 0.04999]
        for _ in 0..<5000 {
            generator = StableHash.mix(generator)
            values.append(Double(generator % 10_000_000) / 1000)
            values.append(Double(generator % 1000) / 20)
        }
        for x in values + values.map({ -$0 }) {
            #expect(DecimalText.oneDecimal(x) == String(format: "%.1f", x), "\(x)")
        }
        #expect(DecimalText.oneDecimal(.infinity) == String(format: "%.1f", Double.infinity))
    }
}

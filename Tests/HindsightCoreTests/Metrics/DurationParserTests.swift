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

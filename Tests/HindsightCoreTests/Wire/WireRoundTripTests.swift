import Foundation
import HindsightCore
import Testing

@Suite("Wire encoding and round trips")
struct WireRoundTripTests {
    typealias F = WireFixtures

    /// A deterministic generator (SplitMix64) so failures reproduce.
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static func randomText(_ g: inout Generator, max: Int, names: Bool = false) -> String {
        let alphabet: [Character] = names
            ? ["a", "Z", "0", " ", "-", "é", "分", "😀", "\"", "\\", "/"]
            : ["a", "Z", "0", " ", "\n", "\t", "\u{1}", "é", "分", "😀", "\"", "\\", "/", "\u{7F}"]
        var s = String(alphabet.randomElement(using: &g)!)
        for _ in 0..<Int.random(in: 0..<max, using: &g) { s.append(alphabet.randomElement(using: &g)!) }
        while s.utf8.count > max { s.removeLast() }
        return s.isEmpty ? "x" : s
    }

    static func randomEvent(_ g: inout Generator) -> WireEvent {
        let types: [EventType] = [.executionStarted, .phaseStarted, .phaseCompleted, .toolUsed, .error,
                                  .recoveryAttempted, .retry, .executionCompleted, "custom.kind_2"]
        let type = types.randomElement(using: &g)!
        var p = EventPayload()
        let maybe = { (g: inout Generator) in Bool.random(using: &g) }
        if maybe(&g) { p.goal = randomText(&g, max: 40) }
        if maybe(&g) {
            p.plan = (0..<Int.random(in: 0...5, using: &g)).map { _ in randomText(&g, max: 9, names: true) }
        }
        if maybe(&g) { p.estimatedDurationSeconds = Double(Int.random(in: 0...1_000_000, using: &g)) / 7 }
        if maybe(&g) || type == .toolUsed { p.tool = randomText(&g, max: 20, names: true) }
        if maybe(&g) || type == .toolUsed { p.durationMs = Double.random(in: 0...1e7, using: &g) }
        if maybe(&g) || type == .error { p.errorType = randomText(&g, max: 12, names: true) }
        if maybe(&g) || type == .error { p.message = randomText(&g, max: 60) }
        if maybe(&g) { p.fatal = maybe(&g) }
        if maybe(&g) || type == .phaseCompleted { p.success = maybe(&g) }
        if maybe(&g) || type == .recoveryAttempted {
            p.strategy = EventPayload.strategies.sorted().randomElement(using: &g)
        }
        if maybe(&g) || type == .executionCompleted {
            p.status = EventPayload.statuses.sorted().randomElement(using: &g)
        }
        if maybe(&g) { p.result = randomText(&g, max: 30) }
        let needsPhase = type == .phaseStarted || type == .phaseCompleted
        return WireEvent(
            eventID: UUID(), executionID: F.executionID, seq: Int64.random(in: 0...Int64(Int32.max), using: &g),
            timestampMicros: Int64.random(in: 946_684_800_000_000...F.now, using: &g), type: type,
            domain: randomText(&g, max: 128, names: true),
            phase: needsPhase || maybe(&g) ? randomText(&g, max: 30, names: true) : nil, payload: p)
    }

    @Test("random events round-trip through encode, encodeBatch and Codable")
    func randomRoundTrips() throws {
        var g = Generator(state: 42)
        let events = (0..<500).map { _ in Self.randomEvent(&g) }
        for event in events {
            let body = WireFormat.encode(event)
            #expect(try WireFormat.decode(body, now: F.now) == [event])
            #expect(WireFormat.encode(event) == body)  // deterministic
            let viaCodable = try JSONDecoder().decode(WireEvent.self, from: JSONEncoder().encode(event))
            #expect(viaCodable == event)
            #expect(try JSONDecoder().decode(WireEvent.self, from: Data(body)) == event)
        }
        for chunk in stride(from: 0, to: events.count, by: 100) {
            let batch = Array(events[chunk..<chunk + 100])
            #expect(try WireFormat.decode(WireFormat.encodeBatch(batch), now: F.now) == batch)
        }
    }

    @Test("encoding is compact and ordered")
    func encodingShape() {
        let body = String(decoding: WireFormat.encode(F.sampleEvent()), as: UTF8.self)
        #expect(body == """
            {"schema":1,"event_id":"0b6f1c2e-8d4a-4f7e-9c3b-2a1d5e6f7a01",\
            "execution_id":"7c9e6679-7425-40de-944b-e07fc1f90ae7","seq":3,\
            "ts":"2026-11-25T14:59:58.765433Z","type":"tool_used","domain":"data-processing",\
            "phase":"collect","data":{"tool":"http_get","duration_ms":83.25}}
            """)
        var e = F.sampleEvent()
        e.payload = EventPayload(durationMs: .nan)
        #expect(String(decoding: WireFormat.encode(e), as: UTF8.self)
                    .hasSuffix("\"data\":{\"duration_ms\":null}}"))
        e.payload = EventPayload(durationMs: -0.0, message: "\u{0}\u{1F}\"\\")
        #expect(String(decoding: WireFormat.encode(e), as: UTF8.self)
                    .hasSuffix("{\"duration_ms\":-0,\"message\":\"\\u0000\\u001f\\\"\\\\\"}}"))
    }

    @Test("Codable applies the value rules")
    func codableRules() throws {
        var e = F.sampleEvent()
        e.domain = ""
        let data = try JSONEncoder().encode(e)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(WireEvent.self, from: data) }
    }
}

@Suite("Wire timestamps")
struct WireTimestampTests {
    @Test("parse accepts RFC 3339 forms exactly")
    func parse() {
        let base: Int64 = 1_795_615_200_000_000  // 2026-11-25T14:00:00Z
        #expect(WireFormat.parseTimestamp("2026-11-25T14:00:00Z") == base)
        #expect(WireFormat.parseTimestamp("2026-11-25T14:00:00.1Z") == base + 100_000)
        #expect(WireFormat.parseTimestamp("2026-11-25T14:00:00.123456Z") == base + 123_456)
        #expect(WireFormat.parseTimestamp("2026-11-25T15:00:00+01:00") == base)
        #expect(WireFormat.parseTimestamp("2026-11-25T13:30:00-00:30") == base)
        #expect(WireFormat.parseTimestamp("1970-01-01T00:00:00Z") == 0)
        #expect(WireFormat.parseTimestamp("1969-12-31T23:59:59.999999Z") == -1)
        #expect(WireFormat.parseTimestamp("2000-02-29T00:00:00Z") == 951_782_400_000_000)
        #expect(WireFormat.parseTimestamp("2026-11-25T14:00:00Z"[...]) == base)
    }

    @Test("parse rejects everything else", arguments: [
        "", "2026-11-25", "2026-11-25T14:00:00", "2026-11-25t14:00:00Z", "2026-11-25T14:00:00z",
        "2026-11-25 14:00:00Z", "2026-11-25T14:00:00.Z", "2026-11-25T14:00:00.1234567Z",
        "2026-11-25T24:00:00Z", "2026-11-25T14:60:00Z", "2026-11-25T14:00:60Z", "2026-13-01T00:00:00Z",
        "2026-00-01T00:00:00Z", "2026-02-29T00:00:00Z", "1900-02-29T00:00:00Z", "2026-04-31T00:00:00Z",
        "2026-11-25T14:00:00+0100", "2026-11-25T14:00:00+24:00", "2026-11-25T14:00:00+01:60",
        "2026-11-25T14:00:00Zjunk", "+2026-11-25T14:00:00Z", "2026-11-25T14:00:00.1+01:00x",
        "２０２６-11-25T14:00:00Z",
    ])
    func reject(_ text: String) {
        #expect(WireFormat.parseTimestamp(text) == nil)
    }

    @Test("format is the inverse of parse and clamps to years 0000…9999")
    func format() {
        var g = WireRoundTripTests.Generator(state: 7)
        for _ in 0..<10_000 {
            let micros = Int64.random(in: -62_167_219_200_000_000...253_402_300_799_999_999, using: &g)
            #expect(WireFormat.parseTimestamp(WireFormat.formatTimestamp(micros)) == micros)
        }
        #expect(WireFormat.formatTimestamp(0) == "1970-01-01T00:00:00.000000Z")
        #expect(WireFormat.formatTimestamp(-1) == "1969-12-31T23:59:59.999999Z")
        #expect(WireFormat.formatTimestamp(.max) == "9999-12-31T23:59:59.999999Z")
        #expect(WireFormat.formatTimestamp(.min) == "0000-01-01T00:00:00.000000Z")
    }
}

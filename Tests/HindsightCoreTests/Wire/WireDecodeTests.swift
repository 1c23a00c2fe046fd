import Foundation
import HindsightCore
import Testing

@Suite("Wire decoding")
struct WireDecodeTests {
    typealias F = WireFixtures

    @Test("a single event decodes to exact values")
    func singleEvent() throws {
        let events = try F.decode(F.toolUsed(7))
        #expect(events.count == 1)
        let e = try #require(events.first)
        #expect(e.eventID == UUID(uuidString: "0b6f1c2e-8d4a-4f7e-9c3b-000000000007"))
        #expect(e.executionID == F.executionID)
        #expect(e.seq == 7)
        #expect(e.timestampMicros == WireFormat.parseTimestamp("2026-11-25T14:00:00Z")! + 1)
        #expect(e.type == .toolUsed)
        #expect(e.domain == "d" && e.phase == "p")
        #expect(e.payload == EventPayload(tool: "grep", durationMs: 1.5))
    }

    @Test("unicode escapes, surrogate pairs and offsets decode exactly")
    func unicodeAndOffsets() throws {
        let unicode = try #require(F.examples("valid").first { $0.name == "unicode" })
        let e = try #require(try WireFormat.decode(unicode.bytes, now: F.now).first)
        #expect(e.phase == "résumé 😀 😀")
        #expect(e.domain == "données-分析")
        #expect(e.eventID == UUID(uuidString: "0b6f1c2e-8d4a-4f7e-9c3b-2a1d5e6f7a0b"))
        let offset = try #require(F.examples("valid").first { $0.name == "timestamp-offset" })
        let o = try #require(try WireFormat.decode(offset.bytes, now: F.now).first)
        #expect(WireFormat.formatTimestamp(o.timestampMicros) == "2026-11-25T14:00:00.500000Z")
    }

    @Test("phase_completed without success means success")
    func successDefault() throws {
        let body = F.toolUsed(1).replacingOccurrences(of: "\"tool_used\"", with: "\"phase_completed\"")
        #expect(try F.decode(body).first?.payload.success == true)
    }

    @Test("invalid UTF-8 anywhere is invalid_utf8, even where JSON is also broken")
    func invalidUTF8() {
        let good = Array(F.toolUsed(1).utf8)
        let cases: [[UInt8]] = [
            Array(good.dropLast()) + Array(",\"x\":\"".utf8) + [0xC3, 0x28] + Array("\"}".utf8),  // bad continuation
            Array(good.dropLast()) + Array(",\"x\":\"".utf8) + [0xED, 0xA0, 0x80] + Array("\"}".utf8),  // surrogate
            Array(good.dropLast()) + Array(",\"x\":\"".utf8) + [0xC0, 0xAF] + Array("\"}".utf8),  // overlong
            Array(good.dropLast()) + Array(",\"x\":\"".utf8) + [0xF4, 0x90, 0x80, 0x80] + Array("\"}".utf8),
            Array(good.dropLast()) + Array(",\"x\":\"".utf8) + [0xE2, 0x82] + Array("\"}".utf8),  // truncated
            [0xFF] + good,  // outside strings
            Array(good.dropLast(2)) + [0x80],  // broken JSON and broken UTF-8
        ]
        for bytes in cases { #expect(F.reason(bytes) == "invalid_utf8") }
    }

    @Test("oversize is checked before parsing")
    func oversize() {
        var limits = WireLimits()
        limits.maxMessageBytes = 64
        #expect(F.reason(F.toolUsed(1), limits: limits) == "oversize")
        #expect(F.reason(Array(repeating: 0x20, count: 1_048_577)) == "oversize")
        #expect(F.reason(F.toolUsed(1)) == nil)
    }

    @Test("batch size limits")
    func batchLimits() throws {
        func batch(_ n: Int) -> String {
            "{\"schema\":1,\"events\":[" + (0..<n).map { F.toolUsed($0) }.joined(separator: ",") + "]}"
        }
        #expect(try F.decode(batch(1000)).count == 1000)
        #expect(F.reason(batch(1001)) == "too_many_events")
        #expect(F.reason(batch(1001) + "x") == "invalid_json")
        #expect(F.reason("{\"schema\":1,\"events\":[]}") == "empty_batch")
    }

    @Test("schema header and members")
    func schemaVersion() {
        #expect(F.reason(F.toolUsed(1), header: 1) == nil)
        #expect(F.reason(F.toolUsed(1), header: 2) == "unsupported_schema")
        #expect(F.reason(F.toolUsed(1, extra: ",\"schema\":1.0")) == nil)
        #expect(F.reason(F.toolUsed(1, extra: ",\"schema\":null")) == "unsupported_schema")
        #expect(F.reason("{\"schema\":2,\"events\":[{}]}") == "unsupported_schema")
        #expect(F.reason("{\"events\":[{}],\"schema\":2}") == "unsupported_schema")
    }

    @Test("error details carry the path")
    func errorPaths() {
        let bad = F.toolUsed(2).replacingOccurrences(of: "\"tool\":\"grep\",", with: "")
        do {
            _ = try F.decode("{\"schema\":1,\"events\":[\(F.toolUsed(1)),\(bad)]}")
            Issue.record("expected an error")
        } catch {
            #expect(error == WireError(.missingField, "events[1].data.tool: required for tool_used"))
            #expect(error.description == "missing_field: events[1].data.tool: required for tool_used")
        }
    }

    @Test("exact duplicates in a batch collapse, conflicting ones are rejected")
    func duplicates() throws {
        let e = F.toolUsed(1)
        #expect(try F.decode("{\"schema\":1,\"events\":[\(e),\(F.toolUsed(2)),\(e)]}").map(\.seq) == [1, 2])
        let conflicting = e.replacingOccurrences(of: "\"seq\":1,", with: "\"seq\":9,")
        #expect(F.reason("{\"schema\":1,\"events\":[\(e),\(conflicting)]}") == "duplicate_event_id")
        #expect(F.reason(F.toolUsed(1, extra: ",\"phase\":\"q\"")) == "duplicate_field")
    }

    @Test("future skew is relative to now")
    func futureSkew() {
        let in23h = WireFormat.formatTimestamp(F.now + 23 * 3_600_000_000)
        let in25h = WireFormat.formatTimestamp(F.now + 25 * 3_600_000_000)
        #expect(F.reason(F.toolUsed(1).replacingOccurrences(of: "2026-11-25T14:00:00.000001Z", with: in23h)) == nil)
        #expect(F.reason(F.toolUsed(1).replacingOccurrences(of: "2026-11-25T14:00:00.000001Z", with: in25h))
                    == "timestamp_out_of_range")
    }

    @Test("syntax edge cases")
    func syntax() {
        #expect(F.reason("") == "invalid_json")
        #expect(F.reason("   ") == "invalid_json")
        #expect(F.reason("\u{FEFF}" + F.toolUsed(1)) == "invalid_json")
        #expect(F.reason(" \n\t" + F.toolUsed(1) + " \r\n") == nil)
        #expect(F.reason(F.toolUsed(1, extra: ",\"x\":01")) == "invalid_json")
        #expect(F.reason(F.toolUsed(1, extra: ",\"x\":-")) == "invalid_json")
        #expect(F.reason(F.toolUsed(1, extra: ",\"x\":1.")) == "invalid_json")
        #expect(F.reason(F.toolUsed(1, extra: ",\"x\":\"\\x\"")) == "invalid_json")
        #expect(F.reason(F.toolUsed(1, extra: ",\"x\":\"\\udc00\"")) == "invalid_json")
        #expect(F.reason(F.toolUsed(1, extra: ",\"x\":\"\t\"")) == "invalid_json")
        #expect(F.reason(F.toolUsed(1, extra: ",\"x\":tru")) == "invalid_json")
        #expect(F.reason(F.toolUsed(1, extra: ",\"x\":" + String(repeating: "[", count: 30)
            + String(repeating: "]", count: 30))) == nil)
        #expect(F.reason("null") == "not_an_object")
        #expect(F.reason("[") == "invalid_json")
    }

    @Test("byte-collection overloads agree")
    func overloads() throws {
        let bytes = Array(F.toolUsed(1).utf8)
        let viaArray = try WireFormat.decode(bytes, now: F.now)
        let viaData = try WireFormat.decode(Data(bytes), now: F.now)
        let viaRaw = try bytes.withUnsafeBytes { raw throws(WireError) in try WireFormat.decode(raw, now: F.now) }
        let viaNonContiguous = try WireFormat.decode(bytes.lazy.map { $0 }, now: F.now)
        #expect(viaArray == viaData && viaData == viaRaw && viaRaw == viaNonContiguous)
    }

    @Test("numbers decode exactly as Double(String) does")
    func numbers() throws {
        var g = WireRoundTripTests.Generator(state: 99)
        var literals = ["0", "-0", "0.0", "1e0", "0.1", "83.25", "1e22", "1e23", "123456789012345.6",
                        "1234567890123456789", "0.000001", "1E-7", "5e-324", "1.7976931348623157e308",
                        "9007199254740993", "0.30000000000000004", "2.5E+3", "100e-2"]
        for _ in 0..<2000 {
            let mantissa = UInt64.random(in: 0...UInt64(1) << 60, using: &g)
            let scale = Int.random(in: 0...20, using: &g)
            var digits = String(mantissa)
            if scale > 0, scale < digits.count {
                digits.insert(".", at: digits.index(digits.endIndex, offsetBy: -scale))
            }
            literals.append(digits + (Bool.random(using: &g) ? "e\(Int.random(in: -30...30, using: &g))" : ""))
        }
        for literal in literals {
            let body = F.toolUsed(1).replacingOccurrences(of: "1.5", with: literal)
            let decoded = try #require(try F.decode(body).first?.payload.durationMs)
            let expected = try #require(Double(literal))
            #expect(decoded.bitPattern == expected.bitPattern, "\(literal)")
        }
    }
}

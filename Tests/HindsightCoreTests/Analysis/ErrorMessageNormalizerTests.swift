import Testing
@testable import HindsightCore

@Suite("ErrorMessageNormalizer")
struct ErrorMessageNormalizerTests {
    @Test(arguments: [
        ("Timeout after 5000 ms calling 10.0.0.7:8080", "Timeout after <n> ms calling <ip>"),
        ("File not found: /data/input_42.csv", "File not found: <path>"),
        ("Request 3f2a9c1e-0b4d-4c8e-9a7f-1234567890ab failed", "Request <uuid> failed"),
        ("Connection refused by db-3.internal:5432", "Connection refused by <host>"),
        ("Invalid value 'abc' for field \"name\"", "Invalid value <str> for field <str>"),
        ("GET https://api.example.com/v1/items?id=7 returned 503", "GET <url> returned <n>"),
        ("Commit deadbeef12 missing", "Commit <hex> missing"),
        ("req_8f3a9c2b timed out (attempt 3/5)", "req_<hex> timed out (attempt <n>/<n>)"),
        ("  Error   42:  out of memory  ", "Error <n>: out of memory"),
        ("user=\"bob\" denied", "user=<str> denied"),
        ("Execution failed", "Execution failed"),
        ("Read 1,024.5 bytes from ./cache/x.bin", "Read <n> bytes from <path>"),
        ("pointer 0x7ffee3b0 invalid", "pointer <hex> invalid"),
        ("C:\\Users\\me\\file.txt locked", "<path> locked"),
        ("can't open it", "can't open it"),
    ])
    func normalizes(_ message: String, _ pattern: String) {
        #expect(ErrorMessageNormalizer.pattern(of: message) == pattern)
    }

    @Test func variantsCollapseToOnePattern() {
        let a = ErrorMessageNormalizer.pattern(of: "Timeout after 3000 ms calling host-1:8080")
        let b = ErrorMessageNormalizer.pattern(of: "Timeout after 4500 ms calling host-22:8080")
        #expect(a == b)
    }
}

@Suite("Scanners on arbitrary input")
struct ScannerRobustnessTests {
    /// Random printable and control bytes, quotes and separators: no crash, stable output, idempotent on
    /// messages without digits.
    @Test func randomInputNeverTraps() {
        let alphabet = Array("ab Z09'\"`=:/\\.,-_@#()[]{}<>xX\t\n~%".utf8)
        var state: UInt64 = 99
        for _ in 0..<3000 {
            state = StableHash.mix(state)
            let length = Int(state % 40)
            var bytes: [UInt8] = []
            for _ in 0..<length {
                state = StableHash.mix(state)
                bytes.append(alphabet[Int(state % UInt64(alphabet.count))])
            }
            let text = String(decoding: bytes, as: UTF8.self)
            let pattern = ErrorMessageNormalizer.pattern(of: text)
            #expect(pattern == ErrorMessageNormalizer.pattern(of: text))
            #expect(!pattern.contains("  ") && !pattern.hasPrefix(" "))
            _ = DurationParser.seconds(in: text)
            _ = FailureClassifier.classify(errorType: text, message: text)
        }
        #expect(ErrorMessageNormalizer.pattern(of: "") == "")
        #expect(ErrorMessageNormalizer.pattern(of: "naïve résumé 42 ✓") == "naïve résumé <n> ✓")
    }
}

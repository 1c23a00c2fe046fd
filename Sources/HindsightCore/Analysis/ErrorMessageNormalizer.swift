/// Turns raw error messages into patterns by replacing their variable parts, so that
/// `"Timeout after 5000 ms calling 10.0.0.7:8080"` and `"Timeout after 3000 ms calling 10.0.0.9:8080"`
/// count as one error.
///
/// Replacements, checked per whitespace-separated token (surrounding brackets and trailing punctuation
/// are kept): URLs → `<url>`; paths (`/a/b`, `./x`, `~/x`, `C:\x`, `dir/file.ext`) → `<path>`;
/// IPv4 addresses with optional port → `<ip>`; `host:port` → `<host>`; UUIDs → `<uuid>`; quoted strings
/// (`'…'`, `"…"`, `` `…` `` at a token start or after `=`, `:`, `(`) → `<str>`. Inside other tokens, split at
/// `_ - = : @ #`, parts of 6+ hex digits with a digit or `0x…` become `<hex>` and digit runs (with decimals
/// or thousands separators) become `<n>`. Whitespace collapses to single spaces. A hand-written byte scanner.
public enum ErrorMessageNormalizer {
    /// The pattern of `message`.
    public static func pattern(of message: String) -> String {
        var scanner = PatternScanner()
        scanner.normalize(message)
        return scanner.pattern
    }
}

/// The normalizer's byte scanner with reusable buffers: after ``normalize(_:)`` the pattern's bytes are in
/// ``output`` (the analyzer hashes them without building a `String` for patterns it already knows).
struct PatternScanner {
    private(set) var output: [UInt8] = []

    static let stringMarker = Array("<str>".utf8)

    /// The last pattern as a string.
    var pattern: String { String(decoding: output, as: UTF8.self) }

    mutating func normalize(_ message: String) {
        output.removeAll(keepingCapacity: true)
        var message = message
        message.withUTF8 { scan($0) }
    }

    /// Tokens are index ranges of the input, classified without copying them.
    private mutating func scan(_ bytes: UnsafeBufferPointer<UInt8>) {
        var i = 0, tokenStart = 0
        var pendingSpace = false
        while i < bytes.count {
            let b = bytes[i]
            if b == 32 || (b >= 9 && b <= 13) {
                flush(bytes, tokenStart..<i)
                pendingSpace = !output.isEmpty
                i += 1
                tokenStart = i
                continue
            }
            if pendingSpace {
                output.append(32)
                pendingSpace = false
            }
            if b == 34 || b == 39 || b == 96, i == tokenStart || Self.opensQuote(bytes[i - 1]),
               let close = bytes[(i + 1)...].firstIndex(of: b) {
                flush(bytes, tokenStart..<i)
                output.append(contentsOf: Self.stringMarker)
                i = close + 1
                tokenStart = i
                continue
            }
            i += 1
        }
        flush(bytes, tokenStart..<bytes.count)
    }

    /// A quote right after one of `= : ( [ { ,` opens a quoted string (an apostrophe inside a word does not).
    private static func opensQuote(_ previous: UInt8) -> Bool {
        previous == 61 || previous == 58 || previous == 40 || previous == 91 || previous == 123 || previous == 44
    }

    private mutating func flush(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) {
        guard !range.isEmpty else { return }
        Self.emitClassified(UnsafeBufferPointer(rebasing: bytes[range]), into: &output)
    }

    private static func emitClassified(_ raw: UnsafeBufferPointer<UInt8>, into output: inout [UInt8]) {
        var start = 0, end = raw.count
        while start < end, isLeadingPunctuation(raw[start]) { start += 1 }
        while end > start, isTrailingPunctuation(raw[end - 1]) { end -= 1 }
        output.append(contentsOf: UnsafeBufferPointer(rebasing: raw[0..<start]))
        if start < end {
            let core = UnsafeBufferPointer(rebasing: raw[start..<end])
            if let whole = TokenClassifier.wholeTokenClass(core) {
                output.append(contentsOf: whole.utf8)
            } else {
                TokenClassifier.replaceParts(core, into: &output)
            }
        }
        output.append(contentsOf: UnsafeBufferPointer(rebasing: raw[end..<raw.count]))
    }

    private static func isLeadingPunctuation(_ b: UInt8) -> Bool { b == 40 || b == 91 || b == 123 || b == 60 }
    private static func isTrailingPunctuation(_ b: UInt8) -> Bool {
        b == 46 || b == 44 || b == 59 || b == 58 || b == 41 || b == 93 || b == 125 || b == 62 || b == 33 || b == 63
    }
}

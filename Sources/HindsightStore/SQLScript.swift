/// Splits a SQL script into single statements.
///
/// PostgresNIO sends every query with the extended protocol (Parse/Bind/Execute), which accepts one
/// statement per query; its `simpleQuery` is the same path. Migration files hold many statements, so
/// the migrator splits them here and runs them one by one inside the migration's transaction.
///
/// A statement ends at a `;` that is outside of: single-quoted strings (`'it''s'`, and `E'\''`
/// escape strings), double-quoted identifiers, `--` line comments, `/* … */` block comments (nested,
/// as PostgreSQL allows) and dollar-quoted bodies (`$$ … $$`, `$fn$ … $fn$`). Pieces holding only
/// whitespace and comments are dropped. The text of each statement is kept byte for byte.
enum SQLScript {
    static func split(_ script: String) -> [String] {
        let bytes = Array(script.utf8)
        var statements: [String] = []
        var start = 0
        var i = 0
        var hasCode = false  // the current piece holds something other than whitespace and comments

        func flush(upTo end: Int) {
            if hasCode {
                let text = String(decoding: bytes[start..<end], as: UTF8.self)
                statements.append(text.trimmingWhitespace())
            }
            hasCode = false
        }

        while i < bytes.count {
            let c = bytes[i]
            let next: UInt8? = i + 1 < bytes.count ? bytes[i + 1] : nil
            switch c {
            case UInt8(ascii: "-") where next == UInt8(ascii: "-"):
                while i < bytes.count && bytes[i] != UInt8(ascii: "\n") { i += 1 }
                continue
            case UInt8(ascii: "/") where next == UInt8(ascii: "*"):
                var depth = 0
                while i < bytes.count {
                    if bytes[i] == UInt8(ascii: "/"), i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "*") {
                        depth += 1; i += 2
                    } else if bytes[i] == UInt8(ascii: "*"), i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "/") {
                        depth -= 1; i += 2
                        if depth == 0 { break }
                    } else {
                        i += 1
                    }
                }
                continue
            case UInt8(ascii: "'"):
                hasCode = true
                let escapes = i > 0 && (bytes[i - 1] == UInt8(ascii: "E") || bytes[i - 1] == UInt8(ascii: "e"))
                    && (i < 2 || !isIdentifierByte(bytes[i - 2]))
                i += 1
                while i < bytes.count {
                    if escapes && bytes[i] == UInt8(ascii: "\\") { i += 2; continue }
                    if bytes[i] == UInt8(ascii: "'") {
                        if i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "'") { i += 2; continue }
                        break
                    }
                    i += 1
                }
                i += 1
                continue
            case UInt8(ascii: "\""):
                hasCode = true
                i += 1
                while i < bytes.count && bytes[i] != UInt8(ascii: "\"") { i += 1 }
                i += 1
                continue
            case UInt8(ascii: "$"):
                hasCode = true
                if let tagEnd = dollarTagEnd(bytes, from: i), i == 0 || !isIdentifierByte(bytes[i - 1]) {
                    let tag = Array(bytes[i...tagEnd])
                    i = tagEnd + 1
                    // Find the closing tag.
                    while i < bytes.count {
                        if bytes[i] == UInt8(ascii: "$"), i + tag.count <= bytes.count,
                           Array(bytes[i..<(i + tag.count)]) == tag {
                            i += tag.count
                            break
                        }
                        i += 1
                    }
                    continue
                }
                i += 1
                continue
            case UInt8(ascii: ";"):
                flush(upTo: i + 1)
                start = i + 1
                i += 1
                continue
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                i += 1
                continue
            default:
                hasCode = true
                i += 1
            }
        }
        flush(upTo: bytes.count)
        return statements
    }

    /// If a dollar-quote opening tag (`$$` or `$tag$`) starts at `index`, the index of its closing `$`.
    private static func dollarTagEnd(_ bytes: [UInt8], from index: Int) -> Int? {
        var j = index + 1
        guard j < bytes.count else { return nil }
        if bytes[j] == UInt8(ascii: "$") { return j }
        // A tag starts like an identifier (not a digit: `$1` is a parameter).
        guard isIdentifierStart(bytes[j]) else { return nil }
        while j < bytes.count, isIdentifierByte(bytes[j]) { j += 1 }
        return j < bytes.count && bytes[j] == UInt8(ascii: "$") ? j : nil
    }

    private static func isIdentifierStart(_ b: UInt8) -> Bool {
        (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z"))
            || b == UInt8(ascii: "_") || b >= 0x80
    }

    private static func isIdentifierByte(_ b: UInt8) -> Bool {
        isIdentifierStart(b) || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9"))
    }
}

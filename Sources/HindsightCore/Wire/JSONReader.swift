// A minimal pull parser over UTF-8 bytes for the wire decoder: strict RFC 8259 grammar, UTF-8
// validation inside strings, escapes (with surrogate pairs) decoded into a scratch buffer, a nesting
// limit, and no allocation except for values the caller turns into `String`s. Syntax errors throw
// immediately (`invalid_json` / `invalid_utf8`); semantic checks belong to the caller.

/// A string value: bytes in the body (no escapes) or in the reader's scratch buffer (escapes decoded).
/// Valid only until the next read.
struct StringToken {
    var bytes: UnsafeBufferPointer<UInt8>
    /// Whether the decoded string contains U+0000 (only possible through a `\u0000` escape).
    var hasNUL: Bool

    var string: String { String(decoding: bytes, as: UTF8.self) }

    @inline(__always) func equals(_ literal: StaticString) -> Bool {
        guard bytes.count == literal.utf8CodeUnitCount else { return false }
        let l = literal.utf8Start
        for i in 0..<bytes.count where bytes[i] != l[i] { return false }
        return true
    }
}

/// A number literal's position; converted on demand.
struct NumberToken {
    var bytes: UnsafeBufferPointer<UInt8>
    /// No fraction and no exponent.
    var isIntegerLiteral: Bool

    /// The value when it is a mathematical integer that fits `Int64`; `.notInteger` / `.outOfRange`
    /// otherwise (`1e400` is out of range, `2.5` is not an integer, `2.0` and `2e1` are integers).
    enum IntegerValue { case value(Int64), notInteger, outOfRange }

    var integerValue: IntegerValue {
        if isIntegerLiteral, bytes.count <= 18 {
            var v: Int64 = 0
            let negative = bytes[0] == 0x2D
            for b in bytes where b != 0x2D { v = v * 10 + Int64(b - 0x30) }
            return .value(negative ? -v : v)
        }
        let d = doubleValue
        guard d.isFinite else { return .outOfRange }
        guard d.rounded() == d else { return .notInteger }
        guard d >= -9.2e18, d <= 9.2e18 else { return .outOfRange }
        return .value(Int64(d))
    }

    /// The nearest `Double` (infinite when the literal overflows).
    var doubleValue: Double {
        fastDoubleValue ?? Double(String(decoding: bytes, as: UTF8.self)) ?? .nan
    }

    /// Exact powers of ten representable in a `Double`.
    private static let powersOfTen: [Double] = (0...22).map { exponent in
        (0..<exponent).reduce(1.0) { value, _ in value * 10 }
    }

    /// Clinger's fast path: at most 15 significant digits and a decimal exponent within ±22 make both
    /// operands exact, so one IEEE multiplication or division gives the correctly rounded result
    /// (what `Double(String)` returns) without allocating. Nil when the literal needs the slow path.
    private var fastDoubleValue: Double? {
        var mantissa: Int64 = 0
        var digits = 0
        var exponent = 0
        var i = 0
        let negative = bytes[0] == 0x2D
        if negative { i = 1 }
        var leading = true
        while i < bytes.count, bytes[i] &- 0x30 < 10 {
            let d = bytes[i] - 0x30
            if !(leading && d == 0) {
                leading = false
                digits += 1
                mantissa = mantissa * 10 + Int64(d)
            }
            i += 1
            if digits > 15 { return nil }
        }
        if i < bytes.count, bytes[i] == 0x2E {
            i += 1
            while i < bytes.count, bytes[i] &- 0x30 < 10 {
                let d = bytes[i] - 0x30
                if !(leading && d == 0) {
                    leading = false
                    digits += 1
                    mantissa = mantissa * 10 + Int64(d)
                }
                exponent -= 1
                i += 1
                if digits > 15 { return nil }
            }
        }
        if i < bytes.count {  // exponent part
            i += 1
            var expNegative = false
            if bytes[i] == 0x2B || bytes[i] == 0x2D {
                expNegative = bytes[i] == 0x2D
                i += 1
            }
            var e = 0
            while i < bytes.count {
                e = e * 10 + Int(bytes[i] - 0x30)
                if e > 400 { return nil }
                i += 1
            }
            exponent += expNegative ? -e : e
        }
        var value = Double(mantissa)
        if mantissa != 0 {
            guard exponent >= -22, exponent <= 22 else { return nil }
            value = exponent < 0 ? value / Self.powersOfTen[-exponent] : value * Self.powersOfTen[exponent]
        }
        return negative ? -value : value
    }
}

struct JSONReader {
    let base: UnsafePointer<UInt8>
    let end: Int
    let maxDepth: Int
    var pos = 0
    /// Decoded escaped strings; `end` bytes suffice because escapes never expand. Owned by the caller,
    /// who must call ``deallocate()``.
    var scratch: UnsafeMutablePointer<UInt8>?

    init(_ base: UnsafePointer<UInt8>, count: Int, maxDepth: Int) {
        self.base = base
        self.end = count
        self.maxDepth = maxDepth
    }

    func deallocate() { scratch?.deallocate() }

    func syntax(_ what: StaticString) -> WireError {
        WireError(.invalidJSON, "byte \(pos): \(what)")
    }

    @inline(__always) mutating func skipWhitespace() {
        while pos < end {
            let b = base[pos]
            guard b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 else { return }
            pos += 1
        }
    }

    /// The next non-whitespace byte, not consumed.
    @inline(__always) mutating func peek() throws(WireError) -> UInt8 {
        skipWhitespace()
        guard pos < end else { throw syntax("unexpected end of input") }
        return base[pos]
    }

    @inline(__always) mutating func expect(_ byte: UInt8, _ what: StaticString) throws(WireError) {
        guard try peek() == byte else { throw syntax(what) }
        pos += 1
    }

    /// After the top-level value: only whitespace may follow.
    mutating func expectEnd() throws(WireError) {
        skipWhitespace()
        guard pos == end else { throw syntax("data after the JSON value") }
    }

    /// Consumes `{` or `[` entering nesting level `depth` (the top-level container is level 1).
    @inline(__always) mutating func enter(_ byte: UInt8, depth: Int) throws(WireError) {
        try expect(byte, byte == 0x7B ? "expected an object" : "expected an array")
        guard depth <= maxDepth else { throw syntax("nesting too deep") }
    }

    /// After a member or element: `true` if another follows (`,` consumed), `false` at `close`.
    @inline(__always) mutating func next(close: UInt8) throws(WireError) -> Bool {
        let b = try peek()
        pos += 1
        if b == 0x2C { return true }
        if b == close { return false }
        pos -= 1
        throw syntax(close == 0x7D ? "expected ',' or '}'" : "expected ',' or ']'")
    }

    /// Just after `{` or `[`: consumes the closing byte and returns `true` if the container is empty.
    @inline(__always) mutating func isEmpty(close: UInt8) throws(WireError) -> Bool {
        if try peek() == close {
            pos += 1
            return true
        }
        return false
    }

    /// Reads a member name and the `:` after it.
    @inline(__always) mutating func readKey() throws(WireError) -> StringToken {
        guard try peek() == 0x22 else { throw syntax("expected a member name") }
        let key = try readString()
        try expect(0x3A, "expected ':'")
        return key
    }

    mutating func readLiteral(_ literal: StaticString) throws(WireError) {
        let n = literal.utf8CodeUnitCount
        guard end - pos >= n else { throw syntax("invalid literal") }
        for i in 0..<n where base[pos + i] != literal.utf8Start[i] { throw syntax("invalid literal") }
        pos += n
    }

    /// Skips any value, checking its syntax. `depth` is the nesting level of the value's parent.
    mutating func skipValue(depth: Int) throws(WireError) {
        switch try peek() {
        case 0x7B:
            try enter(0x7B, depth: depth + 1)
            if try isEmpty(close: 0x7D) { return }
            repeat {
                _ = try readKey()
                try skipValue(depth: depth + 1)
            } while try next(close: 0x7D)
        case 0x5B:
            try enter(0x5B, depth: depth + 1)
            if try isEmpty(close: 0x5D) { return }
            repeat { try skipValue(depth: depth + 1) } while try next(close: 0x5D)
        case 0x22: _ = try readString()
        case 0x74: try readLiteral("true")
        case 0x66: try readLiteral("false")
        case 0x6E: try readLiteral("null")
        case 0x2D, 0x30...0x39: _ = try readNumber()
        default: throw syntax("expected a value")
        }
    }

    /// Reads a number literal at the current position (after whitespace).
    mutating func readNumber() throws(WireError) -> NumberToken {
        skipWhitespace()
        let start = pos
        var isInteger = true
        @inline(__always) func isDigit(_ at: Int) -> Bool { at < end && base[at] &- 0x30 < 10 }
        if pos < end, base[pos] == 0x2D { pos += 1 }
        guard isDigit(pos) else { throw syntax("invalid number") }
        if base[pos] == 0x30 {
            pos += 1
        } else {
            while isDigit(pos) { pos += 1 }
        }
        if pos < end, base[pos] == 0x2E {
            isInteger = false
            pos += 1
            guard isDigit(pos) else { throw syntax("invalid number") }
            while isDigit(pos) { pos += 1 }
        }
        if pos < end, base[pos] | 0x20 == 0x65 {
            isInteger = false
            pos += 1
            if pos < end, base[pos] == 0x2B || base[pos] == 0x2D { pos += 1 }
            guard isDigit(pos) else { throw syntax("invalid number") }
            while isDigit(pos) { pos += 1 }
        }
        return NumberToken(bytes: UnsafeBufferPointer(start: base + start, count: pos - start),
                           isIntegerLiteral: isInteger)
    }

    /// Reads a string at the current position (which must be `"`).
    mutating func readString() throws(WireError) -> StringToken {
        pos += 1
        let start = pos
        while pos < end {
            let b = base[pos]
            if b == 0x22 {
                pos += 1
                return StringToken(bytes: UnsafeBufferPointer(start: base + start, count: pos - 1 - start),
                                   hasNUL: false)
            }
            if b == 0x5C { return try readEscapedString(from: start) }
            if b < 0x20 { throw syntax("control character in string") }
            if b < 0x80 { pos += 1 } else { try skipUTF8Sequence() }
        }
        throw syntax("unterminated string")
    }
}

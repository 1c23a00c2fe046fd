// String internals of `JSONReader`: escape decoding and UTF-8 validation.

extension JSONReader {
    /// Validates one multi-byte UTF-8 sequence at `pos` (lead byte ≥ 0x80) and moves past it.
    /// Rejects overlong forms, surrogates and code points above U+10FFFF (RFC 3629).
    @inline(__always) mutating func skipUTF8Sequence() throws(WireError) {
        let b0 = base[pos]
        let length: Int
        var lo: UInt8 = 0x80
        var hi: UInt8 = 0xBF
        switch b0 {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; lo = 0xA0
        case 0xE1...0xEC, 0xEE, 0xEF: length = 3
        case 0xED: length = 3; hi = 0x9F
        case 0xF0: length = 4; lo = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; hi = 0x8F
        default: throw invalidUTF8()
        }
        guard end - pos >= length else { throw invalidUTF8() }
        let b1 = base[pos + 1]
        guard b1 >= lo, b1 <= hi else { throw invalidUTF8() }
        for i in 2..<length where base[pos + i] & 0xC0 != 0x80 { throw invalidUTF8() }
        pos += length
    }

    func invalidUTF8() -> WireError { WireError(.invalidUTF8, "byte \(pos): invalid UTF-8") }

    mutating func readHex4() throws(WireError) -> UInt32 {
        guard end - pos >= 4 else { throw syntax("invalid \\u escape") }
        var v: UInt32 = 0
        for i in 0..<4 {
            guard let h = WireUUID.hex(base[pos + i]) else { throw syntax("invalid \\u escape") }
            v = v << 4 | UInt32(h)
        }
        pos += 4
        return v
    }

    private mutating func scratchBuffer() -> UnsafeMutablePointer<UInt8> {
        if let scratch { return scratch }
        let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: max(end, 1))
        scratch = buffer
        return buffer
    }

    /// Continues ``readString()`` from the first backslash, decoding into the scratch buffer.
    mutating func readEscapedString(from start: Int) throws(WireError) -> StringToken {
        let out = scratchBuffer()
        var n = pos - start
        out.update(from: base + start, count: n)
        var hasNUL = false
        while pos < end {
            let b = base[pos]
            switch b {
            case 0x22:
                pos += 1
                return StringToken(bytes: UnsafeBufferPointer(start: out, count: n), hasNUL: hasNUL)
            case 0x5C:
                guard pos + 1 < end else { throw syntax("unterminated string") }
                let e = base[pos + 1]
                pos += 2
                var scalar: UInt32
                switch e {
                case 0x22, 0x5C, 0x2F: scalar = UInt32(e)
                case 0x62: scalar = 0x08
                case 0x66: scalar = 0x0C
                case 0x6E: scalar = 0x0A
                case 0x72: scalar = 0x0D
                case 0x74: scalar = 0x09
                case 0x75:
                    scalar = try readHex4()
                    if scalar >= 0xD800, scalar <= 0xDBFF {
                        guard end - pos >= 6, base[pos] == 0x5C, base[pos + 1] == 0x75 else {
                            throw syntax("unpaired surrogate escape")
                        }
                        pos += 2
                        let low = try readHex4()
                        guard low >= 0xDC00, low <= 0xDFFF else { throw syntax("unpaired surrogate escape") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else if scalar >= 0xDC00, scalar <= 0xDFFF {
                        throw syntax("unpaired surrogate escape")
                    }
                    if scalar == 0 { hasNUL = true }
                default:
                    pos -= 1
                    throw syntax("invalid escape")
                }
                n += Self.encodeUTF8(scalar, into: out + n)
            case 0..<0x20:
                throw syntax("control character in string")
            case 0x80...:
                let s = pos
                try skipUTF8Sequence()
                (out + n).update(from: base + s, count: pos - s)
                n += pos - s
            default:
                out[n] = b
                n += 1
                pos += 1
            }
        }
        throw syntax("unterminated string")
    }

    @inline(__always) static func encodeUTF8(_ s: UInt32, into p: UnsafeMutablePointer<UInt8>) -> Int {
        switch s {
        case 0..<0x80:
            p[0] = UInt8(s)
            return 1
        case 0x80..<0x800:
            p[0] = UInt8(0xC0 | s >> 6)
            p[1] = UInt8(0x80 | s & 0x3F)
            return 2
        case 0x800..<0x10000:
            p[0] = UInt8(0xE0 | s >> 12)
            p[1] = UInt8(0x80 | s >> 6 & 0x3F)
            p[2] = UInt8(0x80 | s & 0x3F)
            return 3
        default:
            p[0] = UInt8(0xF0 | s >> 18)
            p[1] = UInt8(0x80 | s >> 12 & 0x3F)
            p[2] = UInt8(0x80 | s >> 6 & 0x3F)
            p[3] = UInt8(0x80 | s & 0x3F)
            return 4
        }
    }

    /// The offset of the first invalid UTF-8 sequence in `bytes`, or nil if all of it is valid (used to
    /// rank `invalid_utf8` above `invalid_json`).
    static func firstInvalidUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        guard let base = bytes.baseAddress else { return nil }
        var r = JSONReader(base, count: bytes.count, maxDepth: 0)
        while r.pos < r.end {
            if r.base[r.pos] < 0x80 {
                r.pos += 1
            } else {
                do { try r.skipUTF8Sequence() } catch { return r.pos }
            }
        }
        return nil
    }
}

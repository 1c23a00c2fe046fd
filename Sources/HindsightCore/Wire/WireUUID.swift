import Foundation

// Canonical 8-4-4-4-12 UUID text <-> `UUID`, by hand: Foundation's parser allocates and the encoder
// wants lowercase (the seed's and Python's form), while `uuidString` is uppercase.

enum WireUUID {
    /// Parses canonical UUID text (either case). Returns nil for any other shape.
    static func parse(_ p: UnsafeBufferPointer<UInt8>) -> UUID? {
        guard p.count == 36, p[8] == 0x2D, p[13] == 0x2D, p[18] == 0x2D, p[23] == 0x2D else { return nil }
        var bytes: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        let ok = withUnsafeMutableBytes(of: &bytes) { out -> Bool in
            var i = 0
            for k in 0..<16 {
                if i == 8 || i == 13 || i == 18 || i == 23 { i += 1 }
                guard let hi = hex(p[i]), let lo = hex(p[i + 1]) else { return false }
                out[k] = hi << 4 | lo
                i += 2
            }
            return true
        }
        return ok ? UUID(uuid: bytes) : nil
    }

    @inline(__always) static func hex(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x61...0x66: return c - 0x61 + 10
        case 0x41...0x46: return c - 0x41 + 10
        default: return nil
        }
    }

    static func isNil(_ u: UUID) -> Bool {
        withUnsafeBytes(of: u.uuid) { $0.allSatisfy { $0 == 0 } }
    }

    /// Appends the lowercase canonical form to `out`.
    static func append(_ u: UUID, to out: inout [UInt8]) {
        let digits: StaticString = "0123456789abcdef"
        withUnsafeBytes(of: u.uuid) { raw in
            for k in 0..<16 {
                if k == 4 || k == 6 || k == 8 || k == 10 { out.append(0x2D) }
                out.append(digits.utf8Start[Int(raw[k] >> 4)])
                out.append(digits.utf8Start[Int(raw[k] & 0x0F)])
            }
        }
    }

    /// The lowercase canonical form.
    static func string(_ u: UUID) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(36)
        append(u, to: &out)
        return String(decoding: out, as: UTF8.self)
    }
}

// RFC 3339 timestamps <-> microseconds since the Unix epoch, in integer arithmetic only (no Double, no
// Calendar): the conversion must be exact and fast because every event carries one.

enum WireTimestamp {
    static let microsPerSecond: Int64 = 1_000_000
    static let secondsPerDay: Int64 = 86_400
    /// 0000-01-01T00:00:00Z and 9999-12-31T23:59:59.999999Z: the range RFC 3339 can write.
    static let minFormattable: Int64 = -62_167_219_200_000_000
    static let maxFormattable: Int64 = 253_402_300_799_999_999

    /// Parses `YYYY-MM-DDTHH:MM:SS[.f{1,6}](Z|±HH:MM)`. Uppercase `T`/`Z` only; no leap seconds.
    static func parse(_ p: UnsafeBufferPointer<UInt8>) -> Int64? {
        let n = p.count
        guard n >= 20 else { return nil }
        @inline(__always) func digits(_ at: Int, _ count: Int) -> Int64? {
            var v: Int64 = 0
            for i in at..<(at + count) {
                let d = p[i] &- 0x30
                guard d < 10 else { return nil }
                v = v * 10 + Int64(d)
            }
            return v
        }
        guard p[4] == 0x2D, p[7] == 0x2D, p[10] == 0x54, p[13] == 0x3A, p[16] == 0x3A,
            let year = digits(0, 4), let month = digits(5, 2), let day = digits(8, 2),
            let hour = digits(11, 2), let minute = digits(14, 2), let second = digits(17, 2),
            month >= 1, month <= 12, day >= 1, day <= daysInMonth(year, month),
            hour <= 23, minute <= 59, second <= 59
        else { return nil }
        var i = 19
        var fraction: Int64 = 0
        if p[i] == 0x2E {
            i += 1
            var count = 0
            while i < n, p[i] &- 0x30 < 10 {
                count += 1
                guard count <= 6 else { return nil }
                fraction = fraction * 10 + Int64(p[i] &- 0x30)
                i += 1
            }
            guard count >= 1 else { return nil }
            for _ in count..<6 { fraction *= 10 }
        }
        guard i < n else { return nil }
        var offsetSeconds: Int64 = 0
        switch p[i] {
        case 0x5A:  // Z
            guard i + 1 == n else { return nil }
        case 0x2B, 0x2D:  // + -
            guard i + 6 == n, p[i + 3] == 0x3A, let oh = digits(i + 1, 2), let om = digits(i + 4, 2),
                oh <= 23, om <= 59
            else { return nil }
            offsetSeconds = (oh * 3600 + om * 60) * (p[i] == 0x2B ? 1 : -1)
        default:
            return nil
        }
        let days = daysFromCivil(year, month, day)
        let seconds = days * secondsPerDay + hour * 3600 + minute * 60 + second - offsetSeconds
        return seconds * microsPerSecond + fraction
    }

    /// Formats as `YYYY-MM-DDTHH:MM:SS.ffffffZ`, clamped to years 0000…9999.
    static func format(_ micros: Int64) -> String {
        let clamped = min(max(micros, minFormattable), maxFormattable)
        let (secs, fraction) = floorDivMod(clamped, microsPerSecond)
        let (days, secOfDay) = floorDivMod(secs, secondsPerDay)
        let (y, m, d) = civilFromDays(days)
        return String(unsafeUninitializedCapacity: 27) { buf in
            @inline(__always) func put(_ v: Int64, _ at: Int, _ width: Int) {
                var v = v
                for i in stride(from: at + width - 1, through: at, by: -1) {
                    buf[i] = UInt8(truncatingIfNeeded: v % 10) + 0x30
                    v /= 10
                }
            }
            put(y, 0, 4); buf[4] = 0x2D; put(m, 5, 2); buf[7] = 0x2D; put(d, 8, 2); buf[10] = 0x54
            put(secOfDay / 3600, 11, 2); buf[13] = 0x3A; put(secOfDay / 60 % 60, 14, 2); buf[16] = 0x3A
            put(secOfDay % 60, 17, 2); buf[19] = 0x2E; put(fraction, 20, 6); buf[26] = 0x5A
            return 27
        }
    }

    static func floorDivMod(_ a: Int64, _ b: Int64) -> (Int64, Int64) {
        let q = a / b
        let r = a % b
        return r < 0 ? (q - 1, r + b) : (q, r)
    }

    static func isLeap(_ y: Int64) -> Bool { y % 4 == 0 && (y % 100 != 0 || y % 400 == 0) }

    static func daysInMonth(_ y: Int64, _ m: Int64) -> Int64 {
        switch m {
        case 2: return isLeap(y) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
    static func daysFromCivil(_ year: Int64, _ m: Int64, _ d: Int64) -> Int64 {
        let y = m <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The inverse of ``daysFromCivil(_:_:_:)``.
    static func civilFromDays(_ days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}

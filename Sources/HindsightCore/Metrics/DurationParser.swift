/// Parses free-text durations such as `"5 minutes"`, `"30s"`, `"500 ms"` or `"1 hour 30 minutes"`.
///
/// Rules (a hand-written byte scanner, no regular expressions, no allocation for numbers of up to 15
/// digits):
/// - every number (`12`, `1.5`, correctly rounded, so ``DurationFormatter/exactText(seconds:)`` reads
///   back exactly) is paired with the unit word that directly follows it; the seconds of all
///   pairs are added, so `"1 hour 30 minutes"` is 5400;
/// - units: `ms`/`msec`/`millisecond(s)`, `s`/`sec(s)`/`second(s)`, `m`/`min(s)`/`minute(s)`,
///   `h`/`hr(s)`/`hour(s)`, `d`/`day(s)`, `w`/`week(s)`; case-insensitive;
/// - a number without a unit counts in the next unit given (`"5-10 minutes"` is a range: its upper bound,
///   600, is used), or in minutes when no unit follows at all (the seed's default unit);
/// - text without any number gives `nil` (callers use 60 s, the seed's default).
public enum DurationParser {
    /// The duration in seconds, or `nil` when the text holds no number.
    public static func seconds(in text: String) -> Double? {
        var text = text
        return text.withUTF8 { parse($0) }
    }

    private static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
        var total = 0.0
        var found = false
        var pending: Double?   // a number still waiting for its unit
        var rangeStart = false // the pending number was followed by '-' or "to": a range
        var i = 0
        while i < bytes.count {
            let byte = bytes[i]
            if isDigit(byte) {
                let value = number(in: bytes, at: &i)
                if let unitless = pending, !rangeStart { total += unitless * 60 }
                pending = value
                rangeStart = false
                found = true
            } else if isLetter(byte) {
                var end = i
                while end < bytes.count, isLetter(bytes[end]) { end += 1 }
                let word = UnsafeBufferPointer(rebasing: bytes[i..<end])
                if let value = pending, let factor = unitFactor(word) {
                    total += value * factor
                    pending = nil
                } else if pending != nil, equals(word, "to") {
                    rangeStart = true
                }
                i = end
            } else {
                if byte == UInt8(ascii: "-"), pending != nil { rangeStart = true }
                i += 1
            }
        }
        if let value = pending { total += value * 60 }
        return found ? total : nil
    }

    /// The decimal number (`12`, `1.5`) starting at `i`, correctly rounded; advances `i` past it.
    ///
    /// Up to 2⁵³ in the digits and 22 fraction digits (every estimate a person or `DurationFormatter`
    /// writes) it is one exact integer divided by an exact power of ten — a single rounding, hence the
    /// nearest double (Clinger's fast path), so `"0.3"` is `0.3`, not `3 × 0.1`. Longer numbers go
    /// through the standard library's correctly rounded conversion (the only path that allocates).
    private static func number(in bytes: UnsafeBufferPointer<UInt8>, at i: inout Int) -> Double {
        let start = i
        var mantissa: UInt64 = 0
        var exact = true
        var fractionDigits = 0
        func take(_ digit: UInt8) {
            let next = mantissa &* 10 &+ UInt64(digit - 48)
            if exact, next <= 1 << 53 { mantissa = next } else { exact = false }
        }
        while i < bytes.count, isDigit(bytes[i]) {
            take(bytes[i])
            i += 1
        }
        if i + 1 < bytes.count, bytes[i] == UInt8(ascii: "."), isDigit(bytes[i + 1]) {
            i += 1
            while i < bytes.count, isDigit(bytes[i]) {
                take(bytes[i])
                fractionDigits += 1
                i += 1
            }
        }
        if exact, fractionDigits < powersOfTen.count {
            return Double(mantissa) / powersOfTen[fractionDigits]
        }
        return Double(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)) ?? 0
    }

    /// 10⁰ … 10²², every one exactly representable as a `Double`.
    private static let powersOfTen: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18,
        1e19, 1e20, 1e21, 1e22,
    ]

    private static func unitFactor(_ word: UnsafeBufferPointer<UInt8>) -> Double? {
        // Dispatch on the first letter so a word is compared with at most six spellings.
        switch word[0] | 0x20 {
        case UInt8(ascii: "m"):
            if word.count == 1 || equals(word, "min") || equals(word, "mins") || equals(word, "minute") || equals(word, "minutes") {
                return 60
            }
            if equals(word, "ms") || equals(word, "msec") || equals(word, "msecs") || equals(word, "millisecond")
                || equals(word, "milliseconds") {
                return 0.001
            }
        case UInt8(ascii: "s"):
            if word.count == 1 || equals(word, "sec") || equals(word, "secs") || equals(word, "second") || equals(word, "seconds") {
                return 1
            }
        case UInt8(ascii: "h"):
            if word.count == 1 || equals(word, "hr") || equals(word, "hrs") || equals(word, "hour") || equals(word, "hours") {
                return 3600
            }
        case UInt8(ascii: "d"):
            if word.count == 1 || equals(word, "day") || equals(word, "days") { return 86_400 }
        case UInt8(ascii: "w"):
            if word.count == 1 || equals(word, "week") || equals(word, "weeks") { return 604_800 }
        default:
            break
        }
        return nil
    }

    /// Case-insensitive comparison of ASCII letters with a lower-case literal.
    private static func equals(_ word: UnsafeBufferPointer<UInt8>, _ literal: StaticString) -> Bool {
        guard word.count == literal.utf8CodeUnitCount else { return false }
        let expected = literal.utf8Start
        for k in 0..<word.count where word[k] | 0x20 != expected[k] { return false }
        return true
    }

    private static func isDigit(_ b: UInt8) -> Bool { b >= 48 && b <= 57 }
    private static func isLetter(_ b: UInt8) -> Bool { (b | 0x20) >= 97 && (b | 0x20) <= 122 }
}

/// Parses free-text durations such as `"5 minutes"`, `"30s"`, `"500 ms"` or `"1 hour 30 minutes"`.
///
/// Rules (a hand-written byte scanner, no regular expressions):
/// - every number (`12`, `1.5`) is paired with the unit word that directly follows it; the seconds of all
///   pairs are added, so `"1 hour 30 minutes"` is 5400;
/// - units: `ms`/`msec`/`millisecond(s)`, `s`/`sec(s)`/`second(s)`, `m`/`min(s)`/`minute(s)`,
///   `h`/`hr(s)`/`hour(s)`, `d`/`day(s)`, `w`/`week(s)`; case-insensitive;
/// - a number without a unit counts in the next unit given (`"5-10 minutes"` is a range: its upper bound,
///   600, is used), or in minutes when no unit follows at all (the seed's default unit);
/// - text without any number gives `nil` (callers use 60 s, the seed's default).
public enum DurationParser {
    /// The duration in seconds, or `nil` when the text holds no number.
    public static func seconds(in text: String) -> Double? {
        var total = 0.0
        var found = false
        var pending: Double?   // a number still waiting for its unit
        var rangeStart = false // the pending number was followed by '-' or "to": a range
        let bytes = Array(text.utf8)
        var i = 0
        while i < bytes.count {
            let byte = bytes[i]
            if isDigit(byte) {
                let (value, next) = number(bytes, from: i)
                if pending != nil, !rangeStart { total += pending! * 60 }  // unit-less number: minutes
                pending = value
                rangeStart = false
                found = true
                i = next
            } else if isLetter(byte) {
                var end = i
                while end < bytes.count, isLetter(bytes[end]) { end += 1 }
                let word = String(decoding: bytes[i..<end], as: UTF8.self).lowercased()
                if let value = pending, let factor = unitFactor(word) {
                    total += value * factor
                    pending = nil
                } else if pending != nil, word == "to" {
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

    private static func number(_ bytes: [UInt8], from start: Int) -> (Double, Int) {
        var i = start
        var value = 0.0
        while i < bytes.count, isDigit(bytes[i]) {
            value = value * 10 + Double(bytes[i] - 48)
            i += 1
        }
        if i + 1 < bytes.count, bytes[i] == UInt8(ascii: "."), isDigit(bytes[i + 1]) {
            i += 1
            var scale = 0.1
            while i < bytes.count, isDigit(bytes[i]) {
                value += Double(bytes[i] - 48) * scale
                scale /= 10
                i += 1
            }
        }
        return (value, i)
    }

    private static func unitFactor(_ word: String) -> Double? {
        switch word {
        case "ms", "msec", "msecs", "millisecond", "milliseconds": 0.001
        case "s", "sec", "secs", "second", "seconds": 1
        case "m", "min", "mins", "minute", "minutes": 60
        case "h", "hr", "hrs", "hour", "hours": 3600
        case "d", "day", "days": 86_400
        case "w", "week", "weeks": 604_800
        default: nil
        }
    }

    private static func isDigit(_ b: UInt8) -> Bool { b >= 48 && b <= 57 }
    private static func isLetter(_ b: UInt8) -> Bool { (b | 0x20) >= 97 && (b | 0x20) <= 122 }
}

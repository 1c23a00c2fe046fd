/// Formats seconds as plan-estimate text that ``DurationParser`` reads back exactly.
public enum DurationFormatter {
    /// Whole seconds as text: `"45 seconds"`, `"2 minutes 30 seconds"`, `"1 hour 30 minutes"`, `"1 hour"`.
    ///
    /// Fractions are rounded up to whole seconds; negative input gives `"0 seconds"`. Values beyond
    /// 10¹⁵ s (about 32 million years; only a hostile estimate gets there) are clamped there rather than
    /// overflowing `Int`.
    public static func text(seconds: Double) -> String {
        let total = seconds > 0 ? Int(Swift.min(seconds, maximumWholeSeconds).rounded(.up)) : 0
        let hours = total / 3600, minutes = (total % 3600) / 60, secs = total % 60
        var text = ""
        if hours > 0 { append(hours, "hour", to: &text) }
        if minutes > 0 { append(minutes, "minute", to: &text) }
        if secs > 0 || text.isEmpty { append(secs, "second", to: &text) }
        return text
    }

    /// Text that ``DurationParser`` reads back as exactly `seconds`, bit for bit.
    ///
    /// Whole seconds read like ``text(seconds:)`` (`"1 minute"`, `"2 minutes 30 seconds"`); anything else is
    /// the shortest decimal that round-trips, without an exponent (`"2.5 seconds"`, `"0.00001 seconds"`).
    /// This is how estimates travel from `estimated_duration_s` into a plan's text without changing the
    /// learning core's estimate. Negative or non-finite input gives `"0 seconds"` (estimates are `≥ 0`).
    public static func exactText(seconds: Double) -> String {
        guard seconds.isFinite, seconds > 0 else { return "0 seconds" }
        if seconds == seconds.rounded(.down), seconds <= maximumWholeSeconds { return text(seconds: seconds) }
        let decimal = plainDecimal(seconds)
        return decimal + (decimal == "1" ? " second" : " seconds")
    }

    /// Beyond this `text(seconds:)` clamps (`Int` would overflow near 9.2 × 10¹⁸).
    static let maximumWholeSeconds = 1e15

    /// The shortest round-trip digits of a finite, positive `x` (Swift's `description`), with any
    /// exponent expanded into zeros: `1e-05` → `0.00001`, `1.5e+17` → `150000000000000000`.
    static func plainDecimal(_ x: Double) -> String {
        let text = x.description
        guard let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) else {
            return text.hasSuffix(".0") ? String(text.dropLast(2)) : text
        }
        let mantissa = text[..<e]
        let exponent = Int(text[text.index(after: e)...]) ?? 0
        let digits = mantissa.filter { $0 != "." }
        let integerDigits = mantissa.firstIndex(of: ".").map { mantissa.distance(from: mantissa.startIndex, to: $0) }
            ?? mantissa.count
        let point = integerDigits + exponent
        if point <= 0 { return "0." + String(repeating: "0", count: -point) + digits }
        if point >= digits.count { return digits + String(repeating: "0", count: point - digits.count) }
        return String(digits.prefix(point)) + "." + String(digits.dropFirst(point))
    }

    private static func append(_ value: Int, _ name: String, to text: inout String) {
        if !text.isEmpty { text += " " }
        text += String(value)
        text += " "
        text += name
        if value != 1 { text += "s" }
    }
}

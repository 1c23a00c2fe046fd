import Foundation

/// Fast fixed-point text for reports, identical to C's `printf("%.1f")` (and Python's `{x:.1f}`).
enum DecimalText {
    /// `x` with one decimal, rounded as `printf` rounds the exact binary value (ties to even).
    ///
    /// The fast path scales by ten; whenever the scaled value lies within 1e-6 of a tie, where the scaling's
    /// own rounding could flip the result, or the value is negative, huge or not finite, it defers to
    /// `String(format:)`.
    static func oneDecimal(_ x: Double) -> String {
        guard x.isFinite, x.sign == .plus, x < 1e15 else { return String(format: "%.1f", x) }
        let scaled = x * 10
        let fraction = scaled - scaled.rounded(.down)
        guard abs(fraction - 0.5) > 1e-6 else { return String(format: "%.1f", x) }
        let tenths = Int(scaled.rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }
}

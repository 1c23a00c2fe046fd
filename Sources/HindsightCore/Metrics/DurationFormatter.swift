/// Formats seconds as plan-estimate text that ``DurationParser`` reads back exactly.
public enum DurationFormatter {
    /// Whole seconds as text: `"45 seconds"`, `"2 minutes 30 seconds"`, `"1 hour 30 minutes"`, `"1 hour"`.
    ///
    /// Fractions are rounded up to whole seconds; negative input gives `"0 seconds"`.
    public static func text(seconds: Double) -> String {
        let total = seconds > 0 ? Int(seconds.rounded(.up)) : 0
        let hours = total / 3600, minutes = (total % 3600) / 60, secs = total % 60
        var text = ""
        if hours > 0 { append(hours, "hour", to: &text) }
        if minutes > 0 { append(minutes, "minute", to: &text) }
        if secs > 0 || text.isEmpty { append(secs, "second", to: &text) }
        return text
    }

    private static func append(_ value: Int, _ name: String, to text: inout String) {
        if !text.isEmpty { text += " " }
        text += String(value)
        text += " "
        text += name
        if value != 1 { text += "s" }
    }
}

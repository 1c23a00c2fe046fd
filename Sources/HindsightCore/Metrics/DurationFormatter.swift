/// Formats seconds as plan-estimate text that ``DurationParser`` reads back exactly.
public enum DurationFormatter {
    /// Whole seconds as text: `"45 seconds"`, `"2 minutes 30 seconds"`, `"1 hour 30 minutes"`, `"1 hour"`.
    ///
    /// Fractions are rounded up to whole seconds; negative input gives `"0 seconds"`.
    public static func text(seconds: Double) -> String {
        let total = seconds > 0 ? Int(seconds.rounded(.up)) : 0
        let hours = total / 3600, minutes = (total % 3600) / 60, secs = total % 60
        var parts: [String] = []
        if hours > 0 { parts.append(unit(hours, "hour")) }
        if minutes > 0 { parts.append(unit(minutes, "minute")) }
        if secs > 0 || parts.isEmpty { parts.append(unit(secs, "second")) }
        return parts.joined(separator: " ")
    }

    private static func unit(_ value: Int, _ name: String) -> String {
        value == 1 ? "1 \(name)" : "\(value) \(name)s"
    }
}

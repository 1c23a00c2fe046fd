import HindsightCore

/// The seed's timestamps: Python `datetime.isoformat()` of naive UTC, e.g. `2025-11-11T19:05:01.123456`
/// (microseconds omitted when zero, no offset).
public enum SeedTimestamp {
    /// Microseconds since the Unix epoch of a seed timestamp.
    ///
    /// Accepts the naive form (read as UTC, which is what the seed wrote), a space instead of `T`
    /// (`str(datetime)`), and an explicit `Z` or `±HH:MM` offset; 1…6 fraction digits.
    ///
    /// - Parameter text: The timestamp text.
    /// - Returns: Microseconds since 1970-01-01T00:00:00Z, or nil when it is no such timestamp.
    public static func micros(_ text: String) -> Int64? {
        guard text.utf8.count >= 19, text.utf8.count <= 40 else { return nil }
        var bytes = Array(text.utf8)
        if bytes[10] == 0x20 { bytes[10] = 0x54 }  // ' ' → 'T'
        let normalized = String(decoding: bytes, as: UTF8.self)
        if let micros = WireFormat.parseTimestamp(normalized) { return micros }
        return WireFormat.parseTimestamp(normalized + "Z")
    }
}

/// Reads `HINDSIGHT_*` settings from the process environment with typed parsing and clear errors.
///
/// Names follow swift-configuration's mapping: the setting `tracker.batchSize` is the variable
/// `HINDSIGHT_TRACKER_BATCH_SIZE`.
public struct EnvironmentReader: Sendable {
    public var values: [String: String]

    public init(values: [String: String]) {
        self.values = values
    }

    /// The raw value of `key`, nil when unset or empty.
    public func string(_ key: String) -> String? {
        guard let value = values[key], !value.isEmpty else { return nil }
        return value
    }

    /// An integer setting within `range`.
    public func int(_ key: String, in range: ClosedRange<Int>) throws(ConfigurationError) -> Int? {
        guard let raw = string(key) else { return nil }
        guard let value = Int(raw), range.contains(value) else {
            throw ConfigurationError(key: key, message: "expected an integer in \(range.lowerBound)...\(range.upperBound), got '\(raw)'")
        }
        return value
    }

    /// A duration in milliseconds within `range`.
    public func milliseconds(_ key: String, in range: ClosedRange<Int>) throws(ConfigurationError) -> Duration? {
        try int(key, in: range).map { .milliseconds($0) }
    }

    /// A boolean (`1/0`, `true/false`, `yes/no`).
    public func bool(_ key: String) throws(ConfigurationError) -> Bool? {
        guard let raw = string(key)?.lowercased() else { return nil }
        switch raw {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default: throw ConfigurationError(key: key, message: "expected true or false, got '\(raw)'")
        }
    }
}

/// A setting that could not be parsed; the description names the variable and what it expects.
public struct ConfigurationError: Error, CustomStringConvertible, Sendable {
    public var key: String
    public var message: String

    public init(key: String, message: String) {
        self.key = key
        self.message = message
    }

    public var description: String { "invalid \(key): \(message)" }
}

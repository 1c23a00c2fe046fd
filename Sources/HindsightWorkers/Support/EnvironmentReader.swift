import Configuration
package import Logging

/// The one configuration reader of every Hindsight worker and command: swift-configuration's
/// `ConfigReader` over an `EnvironmentVariablesProvider`, scoped to `hindsight`, with typed, range-checked
/// accessors that refuse a bad value instead of falling back to the default.
///
/// Keys follow swift-configuration's mapping: the key `tracker.batchMessages` is read from the variable
/// `HINDSIGHT_TRACKER_BATCH_MESSAGES` (camel case becomes `_`, dots become `_`, all upper case). An unset
/// or empty variable means "use the default"; a set one that does not parse, or is out of range, is a
/// ``ConfigurationError`` that names the variable and the value, so `main` can stop with one line.
///
/// swift-configuration's own non-throwing getters return the default when a value does not convert,
/// which would hide a typo in a deployment; so every accessor here reads the text and parses it itself.
package struct EnvironmentReader: Sendable {
    private let reader: ConfigReader

    /// Variables whose values are credentials: never echoed in an error, reported as secrets to
    /// swift-configuration's access reporters.
    package static let secretKeys: Set<String> = ["amqp.url", "database.url", "readDatabase.url"]

    /// Reads `values` as if they were the process environment (tests, child processes).
    package init(values: [String: String]) {
        self.init(provider: EnvironmentVariablesProvider(
            environmentVariables: values, secretsSpecifier: Self.secretsSpecifier))
    }

    /// Reads the process environment.
    package init() {
        self.init(provider: EnvironmentVariablesProvider(secretsSpecifier: Self.secretsSpecifier))
    }

    private init(provider: EnvironmentVariablesProvider) {
        reader = ConfigReader(provider: provider).scoped(to: "hindsight")
    }

    private static var secretsSpecifier: SecretsSpecifier<String, String> {
        .specific(Set(secretKeys.map(variableName(for:))))
    }

    /// The environment variable that holds `key` (`tracker.batchMessages` → `HINDSIGHT_TRACKER_BATCH_MESSAGES`).
    ///
    /// The same mapping as swift-configuration's `EnvironmentVariablesProvider`; used to name the variable in
    /// error messages and documentation (a test checks the two agree).
    package static func variableName(for key: String) -> String {
        var name = "HINDSIGHT"
        for component in key.split(separator: ".") {
            name.append("_")
            var previous: Character?
            for character in component {
                if let previous, previous.isLowercase, character.isUppercase { name.append("_") }
                name.append(character.isLetter || character.isNumber ? String(character.uppercased()) : "_")
                previous = character
            }
        }
        return name
    }

    /// The text of `key`, or nil when the variable is unset or empty.
    package func string(_ key: String) -> String? {
        guard let value = reader.string(forKey: ConfigKey(key), isSecret: Self.secretKeys.contains(key)),
              !value.isEmpty
        else { return nil }
        return value
    }

    /// An integer within `range`, or nil when unset.
    ///
    /// - Throws: ``ConfigurationError`` when the value is not an integer or lies outside `range`.
    package func int(_ key: String, in range: ClosedRange<Int>) throws(ConfigurationError) -> Int? {
        guard let raw = string(key) else { return nil }
        guard let value = Int(raw.trimmingSpaces), range.contains(value) else {
            throw ConfigurationError(
                key: key, value: raw, expected: "an integer in \(range.lowerBound)...\(range.upperBound)")
        }
        return value
    }

    /// A duration given in whole milliseconds within `range`, or nil when unset.
    ///
    /// - Throws: ``ConfigurationError`` when the value is not an integer or lies outside `range`.
    package func milliseconds(_ key: String, in range: ClosedRange<Int>) throws(ConfigurationError) -> Duration? {
        try int(key, in: range).map { .milliseconds($0) }
    }

    /// A boolean (`true`/`false`, `1`/`0`, `yes`/`no`, `on`/`off`, any case), or nil when unset.
    ///
    /// - Throws: ``ConfigurationError`` for any other text.
    package func bool(_ key: String) throws(ConfigurationError) -> Bool? {
        guard let raw = string(key) else { return nil }
        switch raw.trimmingSpaces.lowercased() {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default: throw ConfigurationError(key: key, value: raw, expected: "true or false")
        }
    }

    /// A swift-log level (`trace` … `critical`, any case), or nil when unset.
    ///
    /// - Throws: ``ConfigurationError`` for an unknown level name.
    package func logLevel(_ key: String) throws(ConfigurationError) -> Logger.Level? {
        guard let raw = string(key) else { return nil }
        guard let level = Logger.Level(rawValue: raw.trimmingSpaces.lowercased()) else {
            throw ConfigurationError(
                key: key, value: raw,
                expected: "one of " + Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))
        }
        return level
    }

    /// A value of `key` checked by `parse`, or nil when unset; `parse` returns nil for an invalid text.
    ///
    /// - Throws: ``ConfigurationError`` saying `expected` when `parse` refuses the text.
    package func value<Value>(
        _ key: String, expected: String, _ parse: (String) -> Value?
    ) throws(ConfigurationError) -> Value? {
        guard let raw = string(key) else { return nil }
        guard let value = parse(raw) else { throw ConfigurationError(key: key, value: raw, expected: expected) }
        return value
    }
}

/// A setting that is set but not valid. Its description is one line naming the variable, the value (unless
/// it is a secret) and what was expected:
/// `invalid HINDSIGHT_TRACKER_BATCH_MESSAGES='lots': expected an integer in 1...100000`.
package struct ConfigurationError: Error, CustomStringConvertible, Sendable {
    /// The configuration key (`tracker.batchMessages`).
    package var key: String
    /// The environment variable the value came from (`HINDSIGHT_TRACKER_BATCH_MESSAGES`).
    package var variable: String
    /// The refused text; nil for secrets, which are never repeated.
    package var value: String?
    /// What a valid value looks like.
    package var expected: String

    /// An error for `key` holding `value`; a secret key's value is dropped.
    package init(key: String, value: String, expected: String) {
        self.key = key
        variable = EnvironmentReader.variableName(for: key)
        self.value = EnvironmentReader.secretKeys.contains(key) ? nil : value
        self.expected = expected
    }

    package var description: String {
        let shown = value.map { "='\($0.count > 200 ? String($0.prefix(200)) + "…" : $0)'" } ?? ""
        return "invalid \(variable)\(shown): expected \(expected)"
    }
}

extension String {
    fileprivate var trimmingSpaces: Substring {
        let trimmed = drop { $0 == " " || $0 == "\t" }
        return trimmed.dropLast(trimmed.reversed().prefix { $0 == " " || $0 == "\t" }.count)
    }
}

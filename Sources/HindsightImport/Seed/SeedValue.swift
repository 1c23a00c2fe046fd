import Foundation

/// A JSON value as the seed wrote it in an event's `data` (any JSON).
///
/// Decoded with `JSONDecoder`, which keeps `true`/`false` apart from numbers.
public enum SeedValue: Sendable, Hashable, Decodable {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// Any JSON number.
    case number(Double)
    /// A string.
    case string(String)
    /// An array.
    case array([SeedValue])
    /// An object.
    case object([String: SeedValue])

    /// Decodes any JSON value.
    ///
    /// - Parameter decoder: The decoder.
    /// - Throws: `DecodingError` when the value is none of the above.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([SeedValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: SeedValue].self))
        }
    }

    /// Python's truth value, which the seed applied to `data["success"]` (`None`, `0`, `""`, `[]`, `{}`
    /// are false).
    public var isTruthy: Bool {
        switch self {
        case .null: false
        case .bool(let value): value
        case .number(let value): value != 0
        case .string(let value): !value.isEmpty
        case .array(let value): !value.isEmpty
        case .object(let value): !value.isEmpty
        }
    }

    /// The string, if this is one.
    public var string: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The number, if this is one.
    public var number: Double? {
        if case .number(let value) = self { return value }
        return nil
    }

    /// Decodes one JSON text into a value.
    ///
    /// - Parameter bytes: UTF-8 JSON.
    /// - Returns: The value, or nil when the text is not JSON (including Python's `NaN`/`Infinity`).
    public static func parse(_ bytes: some Collection<UInt8>) -> SeedValue? {
        try? JSONDecoder().decode(SeedValue.self, from: Data(bytes))
    }
}

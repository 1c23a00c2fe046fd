public import Foundation

/// An AMQP field table: message headers and declaration arguments.
public typealias AMQPTable = [String: AMQPFieldValue]

/// A value in an AMQP field table.
///
/// Literals work: `["x-delivery-limit": 5, "x-queue-type": "quorum", "flag": true]`.
/// Integers are sent as signed 64-bit (`l`), which RabbitMQ accepts for every numeric argument.
public enum AMQPFieldValue: Sendable, Hashable {
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case bytes([UInt8])
    case timestamp(Date)
    case decimal(scale: UInt8, value: UInt32)
    case table(AMQPTable)
    case array([AMQPFieldValue])
    case void

    /// The string, if this is ``string(_:)`` (or UTF-8 ``bytes(_:)``).
    public var stringValue: String? {
        switch self {
        case .string(let s): s
        case .bytes(let b): String(validating: b, as: UTF8.self)
        default: nil
        }
    }

    /// The integer, if this is ``int(_:)``.
    public var intValue: Int64? {
        if case .int(let i) = self { return i }
        return nil
    }

    /// The nested table, if this is ``table(_:)``.
    public var tableValue: AMQPTable? {
        if case .table(let t) = self { return t }
        return nil
    }

    /// The elements, if this is ``array(_:)``.
    public var arrayValue: [AMQPFieldValue]? {
        if case .array(let a) = self { return a }
        return nil
    }
}

extension AMQPFieldValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByFloatLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(arrayLiteral elements: AMQPFieldValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, AMQPFieldValue)...) {
        self = .table(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}

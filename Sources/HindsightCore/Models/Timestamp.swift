public import Foundation

/// A point in time as whole microseconds since 1970-01-01T00:00:00Z.
///
/// The learning core keeps time as a 64-bit integer so analysis never does `Date` arithmetic in hot
/// loops and so values round-trip exactly through PostgreSQL (`timestamptz` has microsecond precision).
/// Encodes as a single JSON integer.
public struct Timestamp: Hashable, Comparable, Codable, Sendable, CustomStringConvertible {
    /// Microseconds since the Unix epoch.
    public var microsecondsSinceEpoch: Int64

    /// Creates a timestamp from microseconds since the Unix epoch.
    public init(microsecondsSinceEpoch: Int64) {
        self.microsecondsSinceEpoch = microsecondsSinceEpoch
    }

    /// Creates a timestamp from seconds since the Unix epoch, rounded to the nearest microsecond.
    public init(secondsSinceEpoch: Double) {
        self.microsecondsSinceEpoch = Int64((secondsSinceEpoch * 1_000_000).rounded())
    }

    /// Creates a timestamp from a `Date`, rounded to the nearest microsecond.
    public init(_ date: Date) {
        self.init(secondsSinceEpoch: date.timeIntervalSince1970)
    }

    /// The same instant as a `Date`.
    public var date: Date { Date(timeIntervalSince1970: Double(microsecondsSinceEpoch) / 1_000_000) }

    /// Seconds from `earlier` to `self` (negative when `earlier` is later).
    public func seconds(since earlier: Timestamp) -> Double {
        Double(microsecondsSinceEpoch &- earlier.microsecondsSinceEpoch) / 1_000_000
    }

    /// This instant moved by `seconds` (rounded to the nearest microsecond).
    public func adding(seconds: Double) -> Timestamp {
        Timestamp(microsecondsSinceEpoch: microsecondsSinceEpoch &+ Int64((seconds * 1_000_000).rounded()))
    }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
        lhs.microsecondsSinceEpoch < rhs.microsecondsSinceEpoch
    }

    public init(from decoder: any Decoder) throws {
        microsecondsSinceEpoch = try decoder.singleValueContainer().decode(Int64.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(microsecondsSinceEpoch)
    }

    /// The microsecond count, for logs.
    public var description: String { "\(microsecondsSinceEpoch)µs" }
}

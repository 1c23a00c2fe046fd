public import Foundation

extension UUID {
    /// The UUID's 16 bytes as two big-endian integers.
    ///
    /// Ordering by this key orders UUIDs as PostgreSQL's `uuid` type does (bytewise, which is also the
    /// order of their `uuidString`), without building strings: `uuidString` formats through `snprintf`
    /// and dominated the tracker's profile when it served as a sort key.
    @inlinable
    public var orderKey: (UInt64, UInt64) {
        withUnsafeBytes(of: uuid) { bytes in
            (UInt64(bigEndian: bytes.loadUnaligned(as: UInt64.self)),
             UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
        }
    }

    /// Whether `self` sorts before `other` in PostgreSQL's `uuid` order.
    @inlinable
    public func precedes(_ other: UUID) -> Bool { orderKey < other.orderKey }
}

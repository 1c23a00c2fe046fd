import Foundation
import NIOCore
package import PostgresNIO

/// An element written straight into PostgreSQL's binary array format.
///
/// PostgresNIO encodes `[Element]` through generic, per-element protocol calls across modules; for the
/// tracker's UNNEST binds (a dozen arrays of thousands of elements per batch) that was ~13 % of the
/// tracker's CPU. These conformances are specialized here and write each element with one length
/// prefix and its bytes.
package protocol PackedArrayElement: PostgresArrayEncodable {
    /// Writes the element's binary format, preceded by its length (`Int32`).
    func writePacked(into buffer: inout ByteBuffer)
}

extension UUID: PackedArrayElement {
    package func writePacked(into buffer: inout ByteBuffer) {
        buffer.writeInteger(16, as: Int32.self)
        withUnsafeBytes(of: uuid) { _ = buffer.writeBytes($0) }
    }
}

extension Int64: PackedArrayElement {
    package func writePacked(into buffer: inout ByteBuffer) {
        buffer.writeInteger(8, as: Int32.self)
        buffer.writeInteger(self)
    }
}

extension Int32: PackedArrayElement {
    package func writePacked(into buffer: inout ByteBuffer) {
        buffer.writeInteger(4, as: Int32.self)
        buffer.writeInteger(self)
    }
}

extension Double: PackedArrayElement {
    package func writePacked(into buffer: inout ByteBuffer) {
        buffer.writeInteger(8, as: Int32.self)
        buffer.writeInteger(bitPattern)
    }
}

extension Bool: PackedArrayElement {
    package func writePacked(into buffer: inout ByteBuffer) {
        buffer.writeInteger(1, as: Int32.self)
        buffer.writeInteger(self ? 1 : 0, as: UInt8.self)
    }
}

extension String: PackedArrayElement {
    package func writePacked(into buffer: inout ByteBuffer) {
        let lengthIndex = buffer.writerIndex
        buffer.writeInteger(0, as: Int32.self)
        let written = buffer.writeString(self)
        buffer.setInteger(Int32(written), at: lengthIndex, as: Int32.self)
    }
}

/// A one-dimensional PostgreSQL array of non-NULL elements, bound in binary format.
package struct PackedArray<Element: PackedArrayElement>: PostgresNonThrowingEncodable {
    package var elements: [Element]

    package init(_ elements: [Element]) {
        self.elements = elements
    }

    package static var psqlType: PostgresDataType { Element.psqlArrayType }
    package static var psqlFormat: PostgresFormat { .binary }

    package func encode<JSONEncoder: PostgresJSONEncoder>(
        into buffer: inout ByteBuffer,
        context: PostgresEncodingContext<JSONEncoder>
    ) {
        writeArrayHeader(count: elements.count, hasNull: false, elementType: Element.psqlType, into: &buffer)
        for element in elements {
            element.writePacked(into: &buffer)
        }
    }
}

/// A one-dimensional PostgreSQL array whose elements may be NULL (PostgresNIO encodes `[Element]` but
/// not `[Element?]`, and several upserted columns are nullable): a length of -1 marks a NULL.
package struct NullableArray<Element: PackedArrayElement>: PostgresNonThrowingEncodable {
    package var elements: [Element?]

    package init(_ elements: [Element?]) {
        self.elements = elements
    }

    package static var psqlType: PostgresDataType { Element.psqlArrayType }
    package static var psqlFormat: PostgresFormat { .binary }

    package func encode<JSONEncoder: PostgresJSONEncoder>(
        into buffer: inout ByteBuffer,
        context: PostgresEncodingContext<JSONEncoder>
    ) {
        writeArrayHeader(count: elements.count, hasNull: true, elementType: Element.psqlType, into: &buffer)
        for element in elements {
            if let element {
                element.writePacked(into: &buffer)
            } else {
                buffer.writeInteger(-1, as: Int32.self)
            }
        }
    }
}

/// PostgreSQL's binary array header: dimensions, has-null flag, element type, then (when not empty)
/// the element count and lower bound of the one dimension.
private func writeArrayHeader(count: Int, hasNull: Bool, elementType: PostgresDataType, into buffer: inout ByteBuffer) {
    buffer.writeInteger(count == 0 ? 0 : 1, as: Int32.self)
    buffer.writeInteger(hasNull ? 1 : 0, as: Int32.self)
    buffer.writeInteger(elementType.rawValue)
    guard count > 0 else { return }
    buffer.writeInteger(Int32(count), as: Int32.self)
    buffer.writeInteger(1, as: Int32.self)
}

import NIOCore
package import PostgresNIO

/// A one-dimensional PostgreSQL array whose elements may be NULL.
///
/// PostgresNIO encodes `[Element]` but not `[Element?]`; the bulk upserts bind one array per column, and
/// several columns are nullable. This writes the same binary array format with the has-null flag set and
/// a length of -1 for each NULL element.
package struct NullableArray<Element: PostgresArrayEncodable & PostgresNonThrowingEncodable>: PostgresNonThrowingEncodable {
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
        buffer.writeInteger(elements.isEmpty ? 0 : 1, as: Int32.self)  // dimensions
        buffer.writeInteger(1, as: Int32.self)  // has-null flag
        buffer.writeInteger(Element.psqlType.rawValue)
        guard !elements.isEmpty else { return }
        buffer.writeInteger(Int32(elements.count), as: Int32.self)
        buffer.writeInteger(1, as: Int32.self)  // lower bound
        for element in elements {
            if let element {
                // Length prefix, then the element in its binary format.
                let lengthIndex = buffer.writerIndex
                buffer.writeInteger(0, as: Int32.self)
                let start = buffer.writerIndex
                element.encode(into: &buffer, context: context)
                buffer.setInteger(Int32(buffer.writerIndex - start), at: lengthIndex, as: Int32.self)
            } else {
                buffer.writeInteger(-1, as: Int32.self)
            }
        }
    }
}

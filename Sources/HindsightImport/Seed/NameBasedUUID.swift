import Crypto
public import Foundation

/// Name-based UUIDs (RFC 9562 version 5, SHA-1): the same name always gives the same id, so a second
/// import of the same history publishes the same `event_id`s and the tracker stores nothing new.
public enum NameBasedUUID {
    /// The namespace of every id the importer derives (fixed forever: changing it would make a re-import
    /// duplicate everything).
    public static let importNamespace = UUID(uuid: (
        0x5d, 0x2c, 0x8a, 0x61, 0x0f, 0x3e, 0x4b, 0x7a, 0x9c, 0x14, 0x6e, 0x21, 0xb8, 0x93, 0x4d, 0x07))

    /// The version-5 UUID of `name` in `namespace`.
    ///
    /// - Parameters:
    ///   - name: The name (its UTF-8 bytes are hashed).
    ///   - namespace: The namespace. Defaults to ``importNamespace``.
    /// - Returns: The UUID.
    public static func v5(_ name: String, namespace: UUID = importNamespace) -> UUID {
        var hasher = Insecure.SHA1()
        withUnsafeBytes(of: namespace.uuid) { hasher.update(bufferPointer: $0) }
        hasher.update(data: Array(name.utf8))
        var bytes = Array(hasher.finalize().prefix(16))
        bytes[6] = (bytes[6] & 0x0F) | 0x50
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        return UUID(uuid: (
            bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
            bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
    }
}

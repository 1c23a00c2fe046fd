import Crypto

/// Migration checksums: SHA-256 (swift-crypto) of a migration's SQL, as 64 lowercase hex digits — the
/// form stored in `hindsight.schema_migrations.checksum`.
enum MigrationChecksum {
    /// The SHA-256 digest of `text`'s UTF-8 bytes in lowercase hex.
    static func sha256Hex(_ text: String) -> String {
        let digest = SHA256.hash(data: Array(text.utf8))
        var hex = ""
        hex.reserveCapacity(64)
        for byte in digest {
            hex.append(Self.digits[Int(byte >> 4)])
            hex.append(Self.digits[Int(byte & 0x0f)])
        }
        return hex
    }

    private static let digits: [Character] = Array("0123456789abcdef")
}

public import Foundation

/// 64-bit FNV-1a: a stable hash (the same on every run and machine, unlike Swift's seeded `Hasher`),
/// used for A/B variant assignment and deterministic jitter.
public enum StableHash {
    /// The FNV-1a 64-bit offset basis, the starting value of every hash.
    public static let offsetBasis: UInt64 = 0xcbf2_9ce4_8422_2325
    private static let prime: UInt64 = 0x0000_0100_0000_01b3

    /// FNV-1a of `bytes`, continuing from `seed` (the offset basis by default).
    public static func fnv1a<Bytes: Sequence>(_ bytes: Bytes, seed: UInt64 = offsetBasis) -> UInt64 where Bytes.Element == UInt8 {
        var hash = seed
        for byte in bytes {
            hash ^= UInt64(byte)
            hash &*= prime
        }
        return hash
    }

    /// FNV-1a of a string's UTF-8 bytes, a zero separator byte, then the UUID's 16 bytes.
    public static func fnv1a(_ salt: String, _ id: UUID) -> UInt64 {
        var hash = fnv1a(salt.utf8)
        hash = fnv1a(CollectionOfOne(0), seed: hash)
        let u = id.uuid
        return fnv1a([u.0, u.1, u.2, u.3, u.4, u.5, u.6, u.7, u.8, u.9, u.10, u.11, u.12, u.13, u.14, u.15], seed: hash)
    }

    /// SplitMix64 finalizer: spreads the bits of `x` (used to turn hashes into uniform numbers).
    public static func mix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9e37_79b9_7f4a_7c15
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    /// A uniform number in `0..<1` derived from `x`.
    public static func unitInterval(_ x: UInt64) -> Double {
        Double(mix(x) >> 11) * 0x1.0p-53
    }
}

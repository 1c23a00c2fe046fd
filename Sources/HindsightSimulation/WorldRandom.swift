package import Foundation

/// Draws from the world keyed by what they are for, not by when they happen: the same key gives the same
/// number in every run, whatever the scheduling, and the three groups share the keys of an execution
/// slot (common random numbers), so group differences come from their decisions, not their luck.
package struct WorldRandom: Sendable, Hashable {
    package var seed: UInt64

    package init(seed: UInt64) { self.seed = seed }

    /// A uniform value in [0, 1) for `parts` (joined into one key).
    package func unit(_ parts: String...) -> Double { unit(parts) }

    /// A uniform value in [0, 1) for `parts`.
    package func unit(_ parts: [String]) -> Double {
        var generator = SplitMix(seed: key(parts))
        return generator.unit()
    }

    /// A standard normal value for `parts` (Box–Muller on two keyed uniforms).
    package func normal(_ parts: String...) -> Double { normal(parts) }

    /// A standard normal value for `parts`.
    package func normal(_ parts: [String]) -> Double {
        var generator = SplitMix(seed: key(parts))
        let u1 = max(generator.unit(), 1e-12), u2 = generator.unit()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }

    /// An integer in 0..<bound for `parts`.
    package func index(_ bound: Int, _ parts: String...) -> Int { index(bound, parts) }

    /// An integer in 0..<bound for `parts`.
    package func index(_ bound: Int, _ parts: [String]) -> Int {
        guard bound > 0 else { return 0 }
        var generator = SplitMix(seed: key(parts))
        return Int(generator.next() % UInt64(bound))
    }

    private func key(_ parts: [String]) -> UInt64 {
        // FNV-1a 64 over the seed and the parts (Swift's Hasher is seeded per process).
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ byte: UInt8) { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        for shift in stride(from: 0, to: 64, by: 8) { mix(UInt8(truncatingIfNeeded: seed >> UInt64(shift))) }
        for part in parts {
            for byte in part.utf8 { mix(byte) }
            mix(0)
        }
        return hash
    }
}

/// SplitMix64: small, fast and seedable, so simulations repeat exactly.
package struct SplitMix: Sendable {
    private var state: UInt64

    package init(seed: UInt64) { state = seed }

    package mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform value in [0, 1).
    package mutating func unit() -> Double { Double(next() >> 11) / Double(UInt64(1) << 53) }
}

extension UUID {
    /// A version-4-shaped UUID from a keyed draw (stable across runs and platforms).
    package static func simulated(_ random: WorldRandom, _ parts: String...) -> UUID {
        var generator = SplitMix(seed: UInt64(random.index(Int.max, parts.joined(separator: "/"))))
        let hi = generator.next(), lo = generator.next()
        var bytes = [UInt8](repeating: 0, count: 16)
        for i in 0..<8 {
            bytes[i] = UInt8(truncatingIfNeeded: hi >> UInt64(8 * i))
            bytes[8 + i] = UInt8(truncatingIfNeeded: lo >> UInt64(8 * i))
        }
        bytes[6] = (bytes[6] & 0x0F) | 0x40
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        return UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                           bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
    }
}

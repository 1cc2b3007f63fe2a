/// The entropy capability: unpredictable bytes for TCP ISNs, DHCP transaction ids and DNS ids.

/// A source of unpredictable bits. Boards mix virtio-rng, the DTB's rng-seed and timer jitter;
/// it never returns a constant.
public protocol Entropy {
    /// Returns 64 fresh bits.
    mutating func next() -> UInt64
    /// Fills every byte of `buffer`.
    mutating func fill(_ buffer: UnsafeMutableRawBufferPointer)
}

extension Entropy {
    public mutating func fill(_ buffer: UnsafeMutableRawBufferPointer) {
        var index = 0
        while index < buffer.count {
            var word = next()
            for _ in 0..<8 where index < buffer.count {
                buffer[index] = UInt8(truncatingIfNeeded: word)
                word >>= 8
                index += 1
            }
        }
    }

    /// A value in `0..<bound` (bound > 0), by Lemire's multiply-shift; the bias is below 2^-32
    /// for the small bounds used here.
    public mutating func next(below bound: UInt32) -> UInt32 {
        UInt32(truncatingIfNeeded: (UInt64(UInt32(truncatingIfNeeded: next())) &* UInt64(bound)) >> 32)
    }
}

/// SplitMix64 (Steele, Lea, Flood 2014): a seeded, reproducible sequence. It is a mixer for
/// tests and simulations (fault injection, simulated links); it is not a source of entropy, so
/// a board must not hand it to the stack with a fixed seed.
public struct SplitMix64: Entropy {
    public var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }
}

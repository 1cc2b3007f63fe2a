/// SipHash-2-4 (Aumasson and Bernstein 2012) of two 64-bit words: the keyed hash behind
/// TCP initial sequence numbers (RFC 6528 3), ephemeral port choices, and boards' entropy mixing.

public struct SipHash {
    public let key0: UInt64
    public let key1: UInt64

    public init(key0: UInt64, key1: UInt64) {
        self.key0 = key0
        self.key1 = key1
    }

    /// The hash of the 16-byte message `first` then `second` (each little-endian).
    public func hash(_ first: UInt64, _ second: UInt64) -> UInt64 {
        var v0 = key0 ^ 0x736F_6D65_7073_6575
        var v1 = key1 ^ 0x646F_7261_6E64_6F6D
        var v2 = key0 ^ 0x6C79_6765_6E65_7261
        var v3 = key1 ^ 0x7465_6462_7974_6573

        func round() {
            v0 &+= v1; v1 = rotate(v1, 13); v1 ^= v0; v0 = rotate(v0, 32)
            v2 &+= v3; v3 = rotate(v3, 16); v3 ^= v2
            v0 &+= v3; v3 = rotate(v3, 21); v3 ^= v0
            v2 &+= v1; v1 = rotate(v1, 17); v1 ^= v2; v2 = rotate(v2, 32)
        }
        func compress(_ word: UInt64) {
            v3 ^= word
            round()
            round()
            v0 ^= word
        }
        compress(first)
        compress(second)
        compress(16 << 56)  // The final block: the message length in the top byte.
        v2 ^= 0xFF
        round(); round(); round(); round()
        return v0 ^ v1 ^ v2 ^ v3
    }

    @inline(__always)
    private static func rotate(_ value: UInt64, _ count: UInt64) -> UInt64 { value << count | value >> (64 - count) }
    @inline(__always)
    private func rotate(_ value: UInt64, _ count: UInt64) -> UInt64 { SipHash.rotate(value, count) }
}

/// SHA-256 (FIPS 180-4 §6.2) as a streaming hasher: `init`, `update` any number of times, `finalize`.
///
/// The Digest module is portable (host and Embedded Swift, 32- and 64-bit) and never traps on
/// input: every function accepts any bytes of any length, and the only failure a caller can
/// see is `DigestError.bufferTooSmall` from the hexadecimal encoder. Nothing is allocated on
/// the heap; the hasher is 108 bytes of inline state.

/// An incremental SHA-256 computation.
///
/// ```
/// var hasher = SHA256()
/// hasher.update(firstChunk)
/// hasher.update(secondChunk)
/// let digest = hasher.finalize()     // 32 bytes
/// ```
public struct SHA256 {
    /// Bytes in one message block (FIPS 180-4 §1, "Block size: 512 bits").
    public static let blockByteCount = 64
    /// Bytes in the digest (FIPS 180-4 §1, "Message digest size: 256 bits").
    public static let digestByteCount = 32

    /// The eight working hash values H0…H7 (FIPS 180-4 §6.2.2 step 4).
    var state: InlineArray<8, UInt32>
    /// The bytes of the current, not yet complete block.
    var pending: InlineArray<64, UInt8>
    /// How many bytes of `pending` are filled; always below `blockByteCount`.
    var pendingCount: Int
    /// Total message length in bytes, modulo 2^64 (FIPS 180-4 §5.1.1 bounds it at 2^64 bits).
    var messageByteCount: UInt64

    /// A hasher at the initial hash value H(0) (FIPS 180-4 §5.3.3).
    public init() {
        state = [0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a,
                 0x510e_527f, 0x9b05_688c, 0x1f83_d9ab, 0x5be0_cd19]
        pending = InlineArray(repeating: 0)
        pendingCount = 0
        messageByteCount = 0
    }

    /// Hashes `bytes` in one call.
    public static func hash(_ bytes: UnsafeRawBufferPointer) -> Digest {
        var hasher = SHA256()
        hasher.update(bytes)
        return hasher.finalize()
    }

    /// Hashes the bytes of any sequence (an array, a `StaticString`'s UTF-8 view) in one call.
    public static func hash<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> Digest {
        var hasher = SHA256()
        hasher.update(bytes)
        return hasher.finalize()
    }

    /// Appends `bytes` to the message. Whole blocks are compressed straight from the caller's
    /// memory; only a partial block is copied.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        messageByteCount &+= UInt64(truncatingIfNeeded: bytes.count)
        var offset = 0
        if pendingCount > 0 {
            let taken = Swift.min(SHA256.blockByteCount - pendingCount, bytes.count)
            for index in 0..<taken {
                pending[pendingCount + index] = base.load(fromByteOffset: index, as: UInt8.self)
            }
            pendingCount += taken
            offset = taken
            guard pendingCount == SHA256.blockByteCount else { return }
            compressPending()
        }
        while bytes.count - offset >= SHA256.blockByteCount {
            compress(block: base + offset)
            offset += SHA256.blockByteCount
        }
        for index in 0..<(bytes.count - offset) {
            pending[index] = base.load(fromByteOffset: offset + index, as: UInt8.self)
        }
        pendingCount = bytes.count - offset
    }

    /// Appends the bytes of any sequence, using its contiguous storage when it has one.
    public mutating func update<Bytes: Sequence<UInt8>>(_ bytes: Bytes) {
        let done: Void? = bytes.withContiguousStorageIfAvailable { buffer in
            update(UnsafeRawBufferPointer(buffer))
        }
        guard done == nil else { return }
        for byte in bytes {
            update(byte: byte)
        }
    }

    /// Appends one byte.
    public mutating func update(byte: UInt8) {
        messageByteCount &+= 1
        pending[pendingCount] = byte
        pendingCount += 1
        if pendingCount == SHA256.blockByteCount {
            compressPending()
        }
    }

    /// The digest of everything appended so far. The hasher itself is unchanged, so a caller
    /// may finalize a prefix and keep appending.
    public func finalize() -> Digest {
        var copy = self
        let bitLength = messageByteCount &<< 3
        // FIPS 180-4 §5.1.1: append a 1 bit, zero bits up to 448 mod 512, then the 64-bit
        // big-endian message length in bits.
        copy.appendPadding(0x80)
        while copy.pendingCount != SHA256.blockByteCount - 8 {
            copy.appendPadding(0)
        }
        for shift in stride(from: 56, through: 0, by: -8) {
            copy.appendPadding(UInt8(truncatingIfNeeded: bitLength >> UInt64(shift)))
        }
        return Digest(words: copy.state)
    }

    /// Appends a padding byte without counting it as message.
    private mutating func appendPadding(_ byte: UInt8) {
        pending[pendingCount] = byte
        pendingCount += 1
        if pendingCount == SHA256.blockByteCount {
            compressPending()
        }
    }

    /// Compresses the full `pending` block and empties it.
    private mutating func compressPending() {
        var block = pending
        withUnsafeBytes(of: &block) { raw in
            compress(block: raw.baseAddress!)
        }
        pendingCount = 0
    }
}

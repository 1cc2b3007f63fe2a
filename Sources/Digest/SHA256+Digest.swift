/// The 32-byte result of a SHA-256 computation, as an inline value.

extension SHA256 {
    /// A SHA-256 digest: the eight hash words serialised big-endian (FIPS 180-4 §6.2.2,
    /// "H(N) = H0 ‖ H1 ‖ … ‖ H7").
    public struct Digest: Equatable, Hashable, Sendable {
        /// The digest bytes, most significant byte of H0 first.
        public var bytes: InlineArray<32, UInt8>

        /// A digest from its 32 bytes; missing bytes are zero, extra bytes are ignored.
        public init<Bytes: Sequence<UInt8>>(bytes source: Bytes) {
            bytes = InlineArray(repeating: 0)
            var index = 0
            for byte in source where index < SHA256.digestByteCount {
                bytes[index] = byte
                index += 1
            }
        }

        /// A digest from the final hash words.
        init(words: InlineArray<8, UInt32>) {
            bytes = InlineArray(repeating: 0)
            for index in 0..<8 {
                let word = words[index]
                bytes[index * 4] = UInt8(truncatingIfNeeded: word >> 24)
                bytes[index * 4 + 1] = UInt8(truncatingIfNeeded: word >> 16)
                bytes[index * 4 + 2] = UInt8(truncatingIfNeeded: word >> 8)
                bytes[index * 4 + 3] = UInt8(truncatingIfNeeded: word)
            }
        }

        /// The byte at `index` (0…31); an index outside that range reads as zero.
        public subscript(index: Int) -> UInt8 {
            index >= 0 && index < SHA256.digestByteCount ? bytes[index] : 0
        }

        /// Lends the 32 digest bytes to `body`.
        public func withUnsafeBytes<Result, Failure: Error>(
            _ body: (UnsafeRawBufferPointer) throws(Failure) -> Result
        ) throws(Failure) -> Result {
            var copy = bytes
            return try Swift.withUnsafeBytes(of: &copy) { (raw) throws(Failure) -> Result in try body(raw) }
        }

        /// Writes the 64 lowercase hexadecimal digits of the digest at the start of `buffer` and
        /// returns 64. Writes nothing when `buffer` is shorter.
        @discardableResult
        public func hexadecimal(into buffer: UnsafeMutableRawBufferPointer) throws(DigestError) -> Int {
            var copy = bytes
            return try Swift.withUnsafeBytes(of: &copy) { (raw) throws(DigestError) -> Int in
                try Hexadecimal.encode(raw, into: buffer)
            }
        }

        public static func == (left: Digest, right: Digest) -> Bool {
            for index in 0..<SHA256.digestByteCount where left.bytes[index] != right.bytes[index] {
                return false
            }
            return true
        }

        public func hash(into hasher: inout Hasher) {
            for index in 0..<SHA256.digestByteCount {
                hasher.combine(bytes[index])
            }
        }
    }
}

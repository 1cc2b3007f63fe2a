/// Lowercase hexadecimal encoding of bytes into a caller's buffer, and the module's error type.

/// The one error the Digest module reports.
public enum DigestError: Error, Equatable, Sendable {
    /// The output buffer holds fewer than `needed` bytes; nothing was written.
    case bufferTooSmall(needed: Int)
}

/// Base-16 text as used for digests in `sha256sum` output and HTTP `ETag`s.
public enum Hexadecimal {
    /// The digits, indexed by nibble value.
    static let digits: StaticString = "0123456789abcdef"

    /// The number of output bytes `encode` needs for `byteCount` input bytes, or nil when
    /// that number does not fit in an `Int` (possible only on a 32-bit target).
    public static func encodedCount(forByteCount byteCount: Int) -> Int? {
        let (doubled, overflow) = byteCount.multipliedReportingOverflow(by: 2)
        return overflow || byteCount < 0 ? nil : doubled
    }

    /// Writes two lowercase hexadecimal digits per byte of `bytes`, high nibble first, at the
    /// start of `buffer`, and returns the number of bytes written.
    ///
    /// - Throws: `DigestError.bufferTooSmall` when `buffer` is shorter than twice
    ///   `bytes.count`; the buffer is then left untouched.
    @discardableResult
    public static func encode(_ bytes: UnsafeRawBufferPointer,
                              into buffer: UnsafeMutableRawBufferPointer) throws(DigestError) -> Int {
        guard let needed = encodedCount(forByteCount: bytes.count) else {
            throw .bufferTooSmall(needed: .max)
        }
        guard buffer.count >= needed else { throw .bufferTooSmall(needed: needed) }
        guard let output = buffer.baseAddress, let input = bytes.baseAddress else { return 0 }
        let table = digits.utf8Start
        for index in 0..<bytes.count {
            let byte = input.load(fromByteOffset: index, as: UInt8.self)
            output.storeBytes(of: table[Int(byte >> 4)], toByteOffset: 2 * index, as: UInt8.self)
            output.storeBytes(of: table[Int(byte & 0x0f)], toByteOffset: 2 * index + 1, as: UInt8.self)
        }
        return needed
    }

    /// Parses the value of one hexadecimal digit (either case), or nil for any other byte.
    public static func value(ofDigit byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}

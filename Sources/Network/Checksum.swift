/// The Internet checksum (RFC 1071): a ones'-complement sum of 16-bit big-endian words.

public struct InternetChecksum {
    var sum: UInt32 = 0
    /// A byte left over from an odd-length chunk, waiting for its low half.
    var pendingHigh: UInt8? = nil

    public init() {}

    /// Adds `bytes`, continuing any odd byte left by the previous chunk.
    public mutating func add(_ bytes: UnsafeRawBufferPointer) {
        var index = 0
        if let high = pendingHigh, bytes.count > 0 {
            addWord(UInt16(high) << 8 | UInt16(bytes[0]))
            pendingHigh = nil
            index = 1
        }
        // Four bytes per step into a 64-bit total: summing 32-bit big-endian words and folding
        // gives the same ones'-complement sum as 16-bit words, because 2^16 = 1 mod 0xFFFF
        // (RFC 1071 2(A)). This loop is most of the cost of sending and receiving.
        if let base = bytes.baseAddress, bytes.count - index >= 4 {
            var total: UInt64 = 0
            while index + 4 <= bytes.count {
                total &+= UInt64(UInt32(bigEndian: base.loadUnaligned(fromByteOffset: index, as: UInt32.self)))
                index += 4
            }
            total = (total & 0xFFFF_FFFF) &+ (total >> 32)
            total = (total & 0xFFFF_FFFF) &+ (total >> 32)
            add(UInt32(truncatingIfNeeded: total))
        }
        while index + 1 < bytes.count {
            sum &+= UInt32(bytes[index]) << 8 | UInt32(bytes[index + 1])
            index += 2
            if sum & 0x8000_0000 != 0 { fold() }
        }
        if index < bytes.count { pendingHigh = bytes[index] }
    }

    public mutating func addWord(_ word: UInt16) {
        sum &+= UInt32(word)
        if sum & 0x8000_0000 != 0 { fold() }
    }

    public mutating func add(_ word: UInt32) {
        addWord(UInt16(truncatingIfNeeded: word >> 16))
        addWord(UInt16(truncatingIfNeeded: word))
    }

    mutating func fold() { sum = (sum & 0xFFFF) &+ (sum >> 16) }

    /// The ones'-complement of the sum: the value to put in the checksum field, or 0 when the
    /// data, checksum field included, verifies.
    public var value: UInt16 {
        var copy = self
        if let high = copy.pendingHigh { copy.addWord(UInt16(high) << 8); copy.pendingHigh = nil }
        while copy.sum > 0xFFFF { copy.fold() }
        return ~UInt16(truncatingIfNeeded: copy.sum)
    }

    /// The checksum of one buffer.
    public static func of(_ bytes: UnsafeRawBufferPointer) -> UInt16 {
        var checksum = InternetChecksum()
        checksum.add(bytes)
        return checksum.value
    }

    /// A checksum started with the IPv4 pseudo-header of TCP and UDP (RFC 9293 3.1, RFC 768).
    static func pseudoHeader(source: IPv4Address, destination: IPv4Address, protocolNumber: UInt8,
                             length: Int) -> InternetChecksum {
        var checksum = InternetChecksum()
        checksum.add(source.rawValue)
        checksum.add(destination.rawValue)
        checksum.addWord(UInt16(protocolNumber))
        checksum.addWord(UInt16(truncatingIfNeeded: length))
        return checksum
    }
}

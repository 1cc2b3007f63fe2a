/// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320): the checksum of GPT headers and entry
/// arrays (UEFI 2.10 5.3.2) and of the key-value store's records.

public struct CRC32 {
    /// The running remainder, kept inverted as the algorithm specifies.
    private var state: UInt32 = 0xFFFF_FFFF

    public init() {}

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        var crc = state
        for byte in bytes {
            crc = CRC32.table[Int(UInt8(truncatingIfNeeded: crc) ^ byte)] ^ (crc >> 8)
        }
        state = crc
    }

    public var value: UInt32 { ~state }

    /// The CRC-32 of `bytes` in one call.
    public static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var crc = CRC32()
        crc.update(bytes)
        return crc.value
    }

    /// One entry per byte value, computed once (1 KiB).
    private static let table: [UInt32] = {
        var table = [UInt32](repeating: 0, count: 256)
        for index in 0..<256 {
            var value = UInt32(index)
            for _ in 0..<8 { value = value & 1 == 1 ? 0xEDB8_8320 ^ (value >> 1) : value >> 1 }
            table[index] = value
        }
        return table
    }()
}

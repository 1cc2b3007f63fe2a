/// GUIDs as GPT stores them (UEFI 2.10 appendix A): the first three fields little-endian.

/// A 16-byte GUID kept in its on-disk byte order.
public struct GUID: Hashable, Sendable {
    /// On-disk bytes 0..<8 read as a little-endian integer.
    public let low: UInt64
    /// On-disk bytes 8..<16 read as a little-endian integer.
    public let high: UInt64

    public init(low: UInt64, high: UInt64) {
        self.low = low
        self.high = high
    }

    /// The GUID written `AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE` as
    /// `GUID(0xAAAAAAAA, 0xBBBB, 0xCCCC, 0xDDDD, 0xEEEEEEEEEEEE)`.
    public init(_ first: UInt32, _ second: UInt16, _ third: UInt16, _ fourth: UInt16, _ node: UInt64) {
        low = UInt64(first) | UInt64(second) << 32 | UInt64(third) << 48
        // The last two fields are stored big-endian, byte by byte.
        var value = UInt64(fourth >> 8) | UInt64(fourth & 0xFF) << 8
        for index in 0..<6 {
            value |= ((node >> UInt64(40 - 8 * index)) & 0xFF) << UInt64(16 + 8 * index)
        }
        high = value
    }

    /// The all-zero GUID marks an unused GPT entry (UEFI 2.10 5.3.3).
    public var isZero: Bool { low == 0 && high == 0 }

    /// The 16 bytes in the order the text form prints them (`AA AA AA AA BB BB …`).
    public var canonicalBytes: [UInt8] {
        var result = [UInt8](repeating: 0, count: 16)
        let order = [3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15]
        for (position, index) in order.enumerated() { result[position] = onDiskByte(index) }
        return result
    }

    /// Byte `index` (0..<16) as stored on disk.
    public func onDiskByte(_ index: Int) -> UInt8 {
        index < 8 ? UInt8(truncatingIfNeeded: low >> UInt64(8 * index))
            : UInt8(truncatingIfNeeded: high >> UInt64(8 * (index - 8)))
    }

    /// "EFI System" partition.
    public static let efiSystem = GUID(0xC12A_7328, 0xF81F, 0x11D2, 0xBA4B, 0x00A0_C93E_C93B)
    /// "Microsoft basic data": FAT, exFAT or NTFS.
    public static let microsoftBasicData = GUID(0xEBD0_A0A2, 0xB9E5, 0x4433, 0x87C0, 0x68B6_B726_99C7)
    /// "Linux filesystem data".
    public static let linuxFilesystem = GUID(0x0FC6_3DAF, 0x8483, 0x4772, 0x8E79, 0x3D69_D847_7DE4)
}

extension SectorBuffer {
    /// The GUID stored at `offset` (16 bytes).
    func guid(at offset: Int) -> GUID { GUID(low: uint64(at: offset), high: uint64(at: offset + 8)) }
}

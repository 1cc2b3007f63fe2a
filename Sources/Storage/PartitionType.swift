/// A partition's type: an MBR type byte or a GPT type GUID, and which of them hold FAT.

/// What a table says a partition holds.
public enum PartitionType: Hashable, Sendable {
    /// The MBR or EBR system indicator byte.
    case mbr(UInt8)
    /// The GPT partition type GUID (UEFI 2.10 5.3.3).
    case gpt(GUID)

    /// MBR types that hold FAT: FAT12 (0x01), FAT16 < 32 MiB (0x04), FAT16 (0x06), FAT32 CHS
    /// (0x0B), FAT32 LBA (0x0C), FAT16 LBA (0x0E); GPT "EFI System" and "Microsoft basic data".
    public var isFAT: Bool {
        switch self {
        case .mbr(let byte):
            return byte == 0x01 || byte == 0x04 || byte == 0x06 || byte == 0x0B || byte == 0x0C || byte == 0x0E
        case .gpt(let guid):
            return guid == .efiSystem || guid == .microsoftBasicData
        }
    }

    /// MBR type bytes of an extended partition: DOS (0x05), Windows LBA (0x0F), Linux (0x85).
    static func isExtended(_ byte: UInt8) -> Bool { byte == 0x05 || byte == 0x0F || byte == 0x85 }

    /// The MBR type byte of a protective MBR entry covering a GPT disk (UEFI 2.10 5.2.3).
    static let protectiveGPT: UInt8 = 0xEE
}

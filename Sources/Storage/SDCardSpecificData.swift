/// The card-specific data register, CSD (SD Physical Layer Simplified Specification 9.00, §5.3): capacity and write protection.
import Capabilities

/// What Seal needs from a CSD: how many 512-byte blocks the card holds and whether it is
/// write-protected. Parsing never traps: a structure or field the specification does not
/// allow is `BlockError.protocolViolation`; SDUC (CSD version 3.0, over 2 TB, which needs
/// CMD22 addressing) is `BlockError.unsupported`.
public struct SDCardSpecificData: Equatable, Sendable {
    /// CSD_STRUCTURE: 0 for version 1.0 (SDSC), 1 for 2.0 (SDHC, SDXC).
    public var structure: UInt32
    /// The capacity in 512-byte blocks.
    public var blockCount: UInt64
    /// PERM_WRITE_PROTECT or TMP_WRITE_PROTECT (bits 13, 12).
    public var isWriteProtected: Bool
    /// TRAN_SPEED (bits 103–96): 0x32 for 25 MHz, 0x5a for 50 MHz (§5.3.2).
    public var transferSpeed: UInt32
    /// The card command classes it supports (CCC, bits 95–84); class 2 is block read,
    /// class 4 block write.
    public var commandClasses: UInt32

    public init(response: SDResponse) throws(BlockError) {
        structure = response.bits(127, 126)
        transferSpeed = response.bits(103, 96)
        commandClasses = response.bits(95, 84)
        isWriteProtected = response.bits(13, 13) != 0 || response.bits(12, 12) != 0
        switch structure {
        case 0:
            // §5.3.2: capacity = (C_SIZE + 1) · 2^(C_SIZE_MULT + 2) · 2^READ_BL_LEN bytes, with
            // READ_BL_LEN 9, 10 or 11 (512, 1024 or 2048-byte blocks; 2 GB at most).
            let readBlockLength = response.bits(83, 80)
            guard (9...11).contains(readBlockLength) else { throw .protocolViolation }
            let size = UInt64(response.bits(73, 62)) + 1
            let multiplier = UInt64(1) << UInt64(response.bits(49, 47) + 2)
            blockCount = size * multiplier << UInt64(readBlockLength - 9)
        case 1:
            // §5.3.3: capacity = (C_SIZE + 1) · 512 KiB, C_SIZE in bits 69–48.
            blockCount = (UInt64(response.bits(69, 48)) + 1) * 1024
        case 2:
            throw .unsupported
        default:
            throw .protocolViolation
        }
        // Every SD card supports the basic and block-read classes (0 and 2, §4.7.3).
        guard commandClasses & 0b101 == 0b101 else { throw .protocolViolation }
    }
}

/// The SD configuration register, SCR (§5.6): the bus widths the card supports. It arrives as
/// an 8-byte data block, most significant byte first.
public struct SDConfigurationRegister: Equatable, Sendable {
    /// SD_BUS_WIDTHS (bits 51–48): bit 0 for one data line, bit 2 for four.
    public var busWidths: UInt8
    /// SD_SPEC (bits 59–56): 0 for version 1.0x, 1 for 1.10, 2 for 2.00 and later.
    public var specificationVersion: UInt8

    public init(bytes: UnsafeRawBufferPointer) throws(BlockError) {
        guard bytes.count >= SDCommand.configurationLength else { throw .protocolViolation }
        // SCR_STRUCTURE (bits 63–60) is 0 in every published version.
        guard bytes[0] >> 4 == 0 else { throw .protocolViolation }
        specificationVersion = bytes[0] & 0xf
        busWidths = bytes[1] & 0xf
        // Every card supports one data line (§5.6 "SD_BUS_WIDTHS").
        guard busWidths & 1 != 0 else { throw .protocolViolation }
    }

    public var supportsFourBitBus: Bool { busWidths & 0b100 != 0 }
}

/// SD card commands: index, argument and response type (SD Physical Layer Simplified Specification 9.00, §4.7.4).

/// The response a command expects (§4.9). The host controller needs to know its length and
/// whether it carries a CRC worth checking.
public enum SDResponseKind: Equatable, Sendable {
    /// No response (CMD0).
    case none
    /// R1: the 32-bit card status (§4.9.1).
    case r1
    /// R1b: R1, then the card holds DAT0 low while busy (§4.9.1).
    case r1b
    /// R2: 128 bits of CID or CSD (§4.9.3).
    case r2
    /// R3: the OCR, with no valid CRC (§4.9.4).
    case r3
    /// R6: the published relative card address (§4.9.5).
    case r6
    /// R7: the interface condition echo (§4.9.6).
    case r7

    public var hasResponse: Bool { self != .none }
    /// 136-bit responses: only R2.
    public var isLong: Bool { self == .r2 }
    /// R3's CRC field is all ones (§4.9.4), so checking it would always fail.
    public var checksCRC: Bool { self != .none && self != .r3 }
    /// Whether the card may signal busy on DAT0 after the response.
    public var isBusy: Bool { self == .r1b }
}

/// Which way a command moves data blocks, if at all.
public enum SDDataDirection: Equatable, Sendable {
    case none
    case read
    case write
}

/// One command as the host controller sends it. Application commands (ACMDn) must follow a
/// CMD55 (`SDCard` sends that first, §4.3.9); `index` is the number on the bus either way.
public struct SDCommand: Equatable, Sendable {
    public var index: UInt8
    public var argument: UInt32
    public var response: SDResponseKind
    public var direction: SDDataDirection
    /// An application-specific command (ACMD): must be preceded by CMD55.
    public var isApplicationCommand: Bool
    /// A multi-block transfer the host ends with CMD12 itself (the controller's auto-stop, or
    /// an explicit STOP_TRANSMISSION after the last block).
    public var stopsAfterTransfer: Bool
    /// CMD0 is preceded by at least 74 clocks with the card powered (§6.4.1.1).
    public var sendsInitializationClocks: Bool

    public init(index: UInt8, argument: UInt32 = 0, response: SDResponseKind, direction: SDDataDirection = .none,
                isApplicationCommand: Bool = false, stopsAfterTransfer: Bool = false,
                sendsInitializationClocks: Bool = false) {
        self.index = index
        self.argument = argument
        self.response = response
        self.direction = direction
        self.isApplicationCommand = isApplicationCommand
        self.stopsAfterTransfer = stopsAfterTransfer
        self.sendsInitializationClocks = sendsInitializationClocks
    }
}

extension SDCommand {
    /// CMD0 GO_IDLE_STATE.
    public static let goIdle = SDCommand(index: 0, response: .none, sendsInitializationClocks: true)
    /// The CMD8 check pattern the card echoes (§4.3.13, "10101010b recommended").
    public static let checkPattern: UInt32 = 0xaa
    /// CMD8 SEND_IF_COND: supply voltage 2.7–3.6 V (VHS = 0001b) and the check pattern (§4.3.13).
    public static let sendInterfaceCondition = SDCommand(index: 8, argument: 0x100 | checkPattern, response: .r7)
    /// CMD2 ALL_SEND_CID.
    public static let allSendIdentification = SDCommand(index: 2, response: .r2)
    /// CMD3 SEND_RELATIVE_ADDR.
    public static let sendRelativeAddress = SDCommand(index: 3, response: .r6)
    /// CMD12 STOP_TRANSMISSION (R1b: the card may be busy programming afterwards).
    public static let stopTransmission = SDCommand(index: 12, response: .r1b)
    /// ACMD51 SEND_SCR: one 8-byte data block (§5.6).
    public static let sendConfiguration = SDCommand(index: 51, response: .r1, direction: .read, isApplicationCommand: true)
    /// The SCR is 64 bits.
    public static let configurationLength = 8

    /// CMD55 APP_CMD: the next command is an application command (§4.3.9).
    public static func applicationCommand(relativeAddress: UInt16) -> SDCommand {
        SDCommand(index: 55, argument: UInt32(relativeAddress) << 16, response: .r1)
    }

    /// ACMD41 SD_SEND_OP_COND: the voltage window 2.7–3.6 V (OCR bits 23–15) and, for a
    /// host that handles block addressing and has seen an R7, HCS (bit 30; §4.2.3.1, §5.1).
    public static func sendOperatingCondition(highCapacitySupport: Bool) -> SDCommand {
        let argument = SDOperatingConditions.voltageWindow | (highCapacitySupport ? SDOperatingConditions.capacityStatus : 0)
        return SDCommand(index: 41, argument: argument, response: .r3, isApplicationCommand: true)
    }

    /// CMD9 SEND_CSD.
    public static func sendSpecificData(relativeAddress: UInt16) -> SDCommand {
        SDCommand(index: 9, argument: UInt32(relativeAddress) << 16, response: .r2)
    }

    /// CMD7 SELECT_CARD: stand-by to transfer state (R1b, §4.3.1 figure 4-2).
    public static func selectCard(relativeAddress: UInt16) -> SDCommand {
        SDCommand(index: 7, argument: UInt32(relativeAddress) << 16, response: .r1b)
    }

    /// CMD13 SEND_STATUS.
    public static func sendStatus(relativeAddress: UInt16) -> SDCommand {
        SDCommand(index: 13, argument: UInt32(relativeAddress) << 16, response: .r1)
    }

    /// ACMD6 SET_BUS_WIDTH: 00b one bit, 10b four bits (§4.7.4 table 4-32).
    public static func setBusWidth(fourBits: Bool) -> SDCommand {
        SDCommand(index: 6, argument: fourBits ? 2 : 0, response: .r1, isApplicationCommand: true)
    }

    /// CMD16 SET_BLOCKLEN: only meaningful for standard-capacity cards (§4.3.2).
    public static func setBlockLength(_ length: UInt32) -> SDCommand {
        SDCommand(index: 16, argument: length, response: .r1)
    }

    /// CMD17 READ_SINGLE_BLOCK or CMD18 READ_MULTIPLE_BLOCK at a card address (see `SDAddressing`).
    public static func read(address: UInt32, blocks: Int) -> SDCommand {
        SDCommand(index: blocks > 1 ? 18 : 17, argument: address, response: .r1, direction: .read,
                  stopsAfterTransfer: blocks > 1)
    }

    /// CMD24 WRITE_BLOCK or CMD25 WRITE_MULTIPLE_BLOCK at a card address.
    public static func write(address: UInt32, blocks: Int) -> SDCommand {
        SDCommand(index: blocks > 1 ? 25 : 24, argument: address, response: .r1, direction: .write,
                  stopsAfterTransfer: blocks > 1)
    }
}

/// How a card's data commands name a block: SDSC by byte address, SDHC and SDXC by block
/// number (§4.3.14 "Command Functional Difference in Card Capacity Types").
public struct SDAddressing: Equatable, Sendable {
    public var isBlockAddressed: Bool
    public init(isBlockAddressed: Bool) { self.isBlockAddressed = isBlockAddressed }

    /// The 32-bit argument for 512-byte block `sector`, or nil when it does not fit.
    public func argument(forSector sector: UInt64) -> UInt32? {
        if isBlockAddressed { return sector <= UInt64(UInt32.max) ? UInt32(sector) : nil }
        let (bytes, overflow) = sector.multipliedReportingOverflow(by: 512)
        return !overflow && bytes <= UInt64(UInt32.max) ? UInt32(bytes) : nil
    }
}

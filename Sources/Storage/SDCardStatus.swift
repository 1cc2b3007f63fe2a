/// The card status every R1 response carries (SD Physical Layer Simplified Specification 9.00, §4.10.1, table 4-42).

/// The 32-bit card status: error flags, the current state and READY_FOR_DATA.
public struct SDCardStatus: Equatable, Sendable {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// The card states of §4.10.1 CURRENT_STATE (bits 12–9).
    public enum State: UInt32, Sendable {
        case idle = 0, ready, identification, standBy, transfer, sendingData, receivingData, programming, disconnected
    }

    /// The error bits: OUT_OF_RANGE, ADDRESS_ERROR, BLOCK_LEN_ERROR, ERASE_SEQ_ERROR,
    /// ERASE_PARAM, WP_VIOLATION (31–26), LOCK_UNLOCK_FAILED, COM_CRC_ERROR, ILLEGAL_COMMAND,
    /// CARD_ECC_FAILED, CC_ERROR, ERROR (24–19), CSD_OVERWRITE (16), WP_ERASE_SKIP (15) and
    /// AKE_SEQ_ERROR (3). CARD_IS_LOCKED (25) is a state, not an error of this command.
    public static let errorMask: UInt32 = 0xfc00_0000 | 0x01f8_0000 | 0x0001_0000 | 0x0000_8000 | 0x0000_0008
    public static let outOfRange: UInt32 = 1 << 31
    public static let addressError: UInt32 = 1 << 30
    public static let writeProtectViolation: UInt32 = 1 << 26
    public static let commandCRCError: UInt32 = 1 << 23
    public static let illegalCommand: UInt32 = 1 << 22
    /// READY_FOR_DATA (bit 8): the card's buffer is free again.
    public static let readyForData: UInt32 = 1 << 8
    /// APP_CMD (bit 5): the card took the last CMD55 and expects an application command.
    public static let applicationCommand: UInt32 = 1 << 5

    public var errors: UInt32 { rawValue & Self.errorMask }
    public var hasError: Bool { errors != 0 }
    public var isReadyForData: Bool { rawValue & Self.readyForData != 0 }
    public var expectsApplicationCommand: Bool { rawValue & Self.applicationCommand != 0 }
    /// nil for the reserved state values 9–15.
    public var state: State? { State(rawValue: (rawValue >> 9) & 0xf) }
}

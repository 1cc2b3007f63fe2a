/// The OCR (SD 9.00 §5.1), the CMD8 echo (§4.3.13, R7) and the published relative address (§4.9.5, R6).

/// The operation conditions register an ACMD41 answers with (R3).
public struct SDOperatingConditions: Equatable, Sendable {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// OCR bits 23–15: 2.7–3.6 V, the window this host asks for.
    public static let voltageWindow: UInt32 = 0x00ff_8000
    /// CCS (bit 30) in the answer, HCS in the question.
    public static let capacityStatus: UInt32 = 1 << 30
    /// Bit 31 is set once the card finished powering up (it is "busy" while clear).
    public static let powerUpComplete: UInt32 = 1 << 31

    public var isPoweredUp: Bool { rawValue & Self.powerUpComplete != 0 }
    /// SDHC or SDXC: block-addressed. Only valid once `isPoweredUp`.
    public var isHighCapacity: Bool { rawValue & Self.capacityStatus != 0 }
    /// Whether the card works anywhere in the host's window.
    public var supportsHostVoltage: Bool { rawValue & Self.voltageWindow != 0 }
}

/// The R7 answer to CMD8: the card repeats the accepted voltage and the check pattern.
public enum SDInterfaceCondition {
    /// Whether `response` echoes CMD8's argument (bits 11–0: VHS and check pattern, §4.3.13).
    public static func isValidEcho(_ response: UInt32) -> Bool {
        response & 0xfff == SDCommand.sendInterfaceCondition.argument & 0xfff
    }
}

/// The R6 answer to CMD3: the new relative card address (bits 31–16) and 16 status bits.
public struct SDPublishedAddress: Equatable, Sendable {
    public var relativeAddress: UInt16
    /// Status bits 23, 22, 19 (COM_CRC_ERROR, ILLEGAL_COMMAND, ERROR) arrive in R6 bits 15, 14, 13.
    public var hasError: Bool

    public init(response: UInt32) {
        relativeAddress = UInt16(truncatingIfNeeded: response >> 16)
        hasError = response & 0xe000 != 0
    }
}

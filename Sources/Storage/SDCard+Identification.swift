/// Card identification and set-up: from power-on to the transfer state with the widest bus (SD 9.00 §4.2, figure 4-2).
import Capabilities

/// What identification learnt about the card.
struct SDCardIdentity {
    var isVersion2: Bool
    var isHighCapacity: Bool
    var relativeAddress: UInt16
    var identification: SDResponse
    var specificData: SDCardSpecificData
    var busWidth: Int
}

extension SDCard {
    /// Brings the card in `host`'s slot from power-on to the transfer state:
    /// CMD0; CMD8 (no answer: a version 1 card); ACMD41 with HCS until powered up (at most
    /// `powerUpTimeout`); CMD2; CMD3 (until the card publishes a non-zero address); CMD9 for
    /// the capacity; the transfer clock; CMD7; ACMD51 and ACMD6 for four data lines when both
    /// sides have them; CMD16 (512) for a byte-addressed card.
    ///
    /// Throws `BlockError.timeout` when the slot is empty or the card never powers up,
    /// `.protocolViolation` for a malformed answer (a wrong CMD8 echo, an impossible CSD),
    /// `.unsupported` for a card outside the host's voltage window or an SDUC card, and
    /// `.deviceError` for an R1 error. `clock` counts nanoseconds.
    public static func identify(host: Host, clock: @escaping () -> UInt64,
                                transferHertz: UInt32 = defaultSpeedHertz) throws(BlockError) -> SDCard {
        try host.setBusWidth(fourBits: false)
        try host.setClock(hertz: identificationHertz)
        _ = try host.send(.goIdle, data: .none)

        // §4.2.2: a version 2.00 card answers CMD8 by echoing it; a version 1.x card stays silent.
        var isVersion2 = true
        do throws(BlockError) {
            let echo = try host.send(.sendInterfaceCondition, data: .none).word0
            guard SDInterfaceCondition.isValidEcho(echo) else { throw BlockError.protocolViolation }
        } catch {
            guard error == .timeout else { throw error }
            isVersion2 = false
            // A card that ignored CMD8 may have flagged ILLEGAL_COMMAND; start again from idle.
            _ = try host.send(.goIdle, data: .none)
        }

        // §4.2.3.1: repeat ACMD41 until the card reports power-up complete.
        let deadline = clock() &+ powerUpTimeout
        var conditions = SDOperatingConditions(rawValue: 0)
        var rounds = 0
        while true {
            conditions = SDOperatingConditions(rawValue: try sendApplication(
                .sendOperatingCondition(highCapacitySupport: isVersion2), relativeAddress: 0, host: host).word0)
            if conditions.isPoweredUp { break }
            // Bounded by count too, in case the clock does not advance.
            rounds += 1
            if clock() > deadline || rounds > maximumPolls { throw .timeout }
        }
        guard conditions.supportsHostVoltage else { throw .unsupported }
        // CCS is only meaningful from a card that saw HCS (a version 1 card is always SDSC).
        let isHighCapacity = isVersion2 && conditions.isHighCapacity

        let identification = try host.send(.allSendIdentification, data: .none)

        // §4.2.2: a card may publish address 0, which addresses every card; ask again.
        var relativeAddress: UInt16 = 0
        for _ in 0..<8 {
            let published = SDPublishedAddress(response: try host.send(.sendRelativeAddress, data: .none).word0)
            if published.hasError { throw .deviceError }
            relativeAddress = published.relativeAddress
            if relativeAddress != 0 { break }
        }
        guard relativeAddress != 0 else { throw .protocolViolation }

        let specificData = try SDCardSpecificData(response: try host.send(.sendSpecificData(relativeAddress: relativeAddress),
                                                                         data: .none))
        // A CSD version 2.0 belongs to a high-capacity card and the reverse (§5.3.1).
        guard (specificData.structure == 1) == isHighCapacity else { throw .protocolViolation }
        guard specificData.blockCount > 0 else { throw .protocolViolation }

        try host.setClock(hertz: transferHertz)
        try checked(host.send(.selectCard(relativeAddress: relativeAddress), data: .none))

        var busWidth = 1
        if host.supportsFourBitBus {
            var bytes: UInt64 = 0
            let configuration = try withUnsafeMutableBytes(of: &bytes) { raw throws(BlockError) -> SDConfigurationRegister in
                try checked(sendApplication(.sendConfiguration, relativeAddress: relativeAddress, host: host,
                                            data: .read(raw, blockSize: SDCommand.configurationLength)))
                return try SDConfigurationRegister(bytes: UnsafeRawBufferPointer(raw))
            }
            if configuration.supportsFourBitBus {
                try checked(sendApplication(.setBusWidth(fourBits: true), relativeAddress: relativeAddress, host: host))
                try host.setBusWidth(fourBits: true)
                busWidth = 4
            }
        }
        if !isHighCapacity {
            try checked(host.send(.setBlockLength(512), data: .none))
        }
        return SDCard(host: host, clock: clock, identity: SDCardIdentity(
            isVersion2: isVersion2, isHighCapacity: isHighCapacity, relativeAddress: relativeAddress,
            identification: identification, specificData: specificData, busWidth: busWidth))
    }

    /// CMD55 then the application command (§4.3.9). The card must acknowledge CMD55 with APP_CMD.
    static func sendApplication(_ command: SDCommand, relativeAddress: UInt16, host: Host,
                                data: SDData = .none) throws(BlockError) -> SDResponse {
        let status = SDCardStatus(rawValue: try host.send(.applicationCommand(relativeAddress: relativeAddress),
                                                          data: .none).word0)
        if status.hasError { throw .deviceError }
        guard status.expectsApplicationCommand else { throw .protocolViolation }
        return try host.send(command, data: data)
    }

    /// An R1 response without error bits.
    static func checked(_ response: SDResponse) throws(BlockError) {
        if SDCardStatus(rawValue: response.word0).hasError { throw .deviceError }
    }
}

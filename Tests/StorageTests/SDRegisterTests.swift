// SD command encodings and register parsing (CSD, SCR, OCR, R1, R6, R7) against golden values.
import Testing
import Capabilities
import Storage

@Suite struct SDRegisterTests {
    /// A 32 GB SDHC card's CSD (version 2.0): C_SIZE 0xedc8.
    static let highCapacityCSD: [UInt8] = [0x40, 0x0e, 0x00, 0x32, 0x5b, 0x59, 0x00, 0x00,
                                           0xed, 0xc8, 0x7f, 0x80, 0x0a, 0x40, 0x40, 0x00]
    /// A 2 GB SDSC card's CSD (version 1.0): READ_BL_LEN 10, C_SIZE 3901, C_SIZE_MULT 7.
    static let standardCapacityCSD: [UInt8] = [0x00, 0x5e, 0x00, 0x32, 0x5f, 0x5a, 0x83, 0xcf,
                                               0x6d, 0xb7, 0xff, 0x80, 0x16, 0x80, 0x00, 0x11]

    @Test func commandsCarryTheSpecificationsArguments() {
        #expect(SDCommand.sendInterfaceCondition.index == 8)
        #expect(SDCommand.sendInterfaceCondition.argument == 0x1aa)
        #expect(SDCommand.sendInterfaceCondition.response == .r7)
        let withHCS = SDCommand.sendOperatingCondition(highCapacitySupport: true)
        #expect(withHCS.index == 41 && withHCS.isApplicationCommand && withHCS.argument == 0x40ff_8000)
        #expect(SDCommand.sendOperatingCondition(highCapacitySupport: false).argument == 0x00ff_8000)
        #expect(SDCommand.applicationCommand(relativeAddress: 0xb368).argument == 0xb368_0000)
        #expect(SDCommand.selectCard(relativeAddress: 0x1234).response == .r1b)
        #expect(SDCommand.setBusWidth(fourBits: true).argument == 2)
        #expect(SDCommand.read(address: 7, blocks: 1).index == 17)
        #expect(!SDCommand.read(address: 7, blocks: 1).stopsAfterTransfer)
        #expect(SDCommand.read(address: 7, blocks: 2).index == 18)
        #expect(SDCommand.read(address: 7, blocks: 2).stopsAfterTransfer)
        #expect(SDCommand.write(address: 7, blocks: 1).index == 24)
        #expect(SDCommand.write(address: 7, blocks: 9).index == 25)
        #expect(SDCommand.write(address: 7, blocks: 9).direction == .write)
        #expect(SDCommand.goIdle.sendsInitializationClocks && !SDCommand.goIdle.response.hasResponse)
        #expect(!SDResponseKind.r3.checksCRC && SDResponseKind.r2.checksCRC && SDResponseKind.r2.isLong)
    }

    @Test func addressingByBytesOrBlocks() {
        let bytes = SDAddressing(isBlockAddressed: false)
        #expect(bytes.argument(forSector: 3) == 1536)
        #expect(bytes.argument(forSector: 8_388_607) == 0xffff_fe00)
        #expect(bytes.argument(forSector: 8_388_608) == nil)
        #expect(bytes.argument(forSector: .max) == nil)
        let blocks = SDAddressing(isBlockAddressed: true)
        #expect(blocks.argument(forSector: 3) == 3)
        #expect(blocks.argument(forSector: 0xffff_ffff) == 0xffff_ffff)
        #expect(blocks.argument(forSector: 0x1_0000_0000) == nil)
    }

    @Test func responseBitsAreNumberedLikeTheSpecification() {
        let response = SDResponse(registerBytes: Self.highCapacityCSD)
        #expect(response.word3 == 0x400e_0032)
        #expect(response.word0 == 0x0a40_4000)
        #expect(response.bits(127, 126) == 1)
        #expect(response.bits(103, 96) == 0x32)
        #expect(response.bits(95, 84) == 0x5b5)
        #expect(response.bits(69, 48) == 0xedc8)
        #expect(response.bits(127, 96) == 0x400e_0032)
    }

    @Test func highCapacityCSD() throws {
        let csd = try SDCardSpecificData(response: SDResponse(registerBytes: Self.highCapacityCSD))
        #expect(csd.structure == 1)
        #expect(csd.blockCount == (0xedc8 + 1) * 1024)
        #expect(csd.transferSpeed == 0x32)
        #expect(!csd.isWriteProtected)
    }

    @Test func standardCapacityCSD() throws {
        let csd = try SDCardSpecificData(response: SDResponse(registerBytes: Self.standardCapacityCSD))
        #expect(csd.structure == 0)
        // (3901 + 1) · 2^(7 + 2) · 1024 bytes.
        #expect(csd.blockCount == 3902 * 512 * 2)
        #expect(!csd.isWriteProtected)
    }

    @Test func writeProtectBits() throws {
        var permanent = Self.highCapacityCSD
        permanent[14] |= 0x20   // bit 13
        #expect(try SDCardSpecificData(response: SDResponse(registerBytes: permanent)).isWriteProtected)
        var temporary = Self.highCapacityCSD
        temporary[14] |= 0x10   // bit 12
        #expect(try SDCardSpecificData(response: SDResponse(registerBytes: temporary)).isWriteProtected)
    }

    @Test func malformedCSDs() throws {
        var reserved = Self.highCapacityCSD
        reserved[0] = 0xc0
        #expect(throws: BlockError.protocolViolation) { try SDCardSpecificData(response: SDResponse(registerBytes: reserved)) }
        var ultraCapacity = Self.highCapacityCSD
        ultraCapacity[0] = 0x80
        #expect(throws: BlockError.unsupported) { try SDCardSpecificData(response: SDResponse(registerBytes: ultraCapacity)) }
        var blockLength = Self.standardCapacityCSD
        blockLength[5] = 0x58   // READ_BL_LEN 8
        #expect(throws: BlockError.protocolViolation) { try SDCardSpecificData(response: SDResponse(registerBytes: blockLength)) }
        var classes = Self.highCapacityCSD
        classes[5] = 0x09       // CCC without class 2
        classes[4] = 0x5b
        #expect(throws: BlockError.protocolViolation) { try SDCardSpecificData(response: SDResponse(registerBytes: classes)) }
        #expect(throws: BlockError.protocolViolation) { try SDCardSpecificData(response: SDResponse()) }
        // The largest fields do not overflow.
        let largest = SDResponse(registerBytes: [0x00, 0, 0, 0, 0x05, 0xfb, 0x03, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0])
        #expect(try SDCardSpecificData(response: largest).blockCount == 4096 * 512 * 4)
    }

    @Test func configurationRegister() throws {
        let four: [UInt8] = [0x02, 0x35, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00]
        let scr = try four.withUnsafeBytes { bytes throws(BlockError) in try SDConfigurationRegister(bytes: bytes) }
        #expect(scr.supportsFourBitBus)
        #expect(scr.specificationVersion == 2)
        let one: [UInt8] = [0x00, 0x01, 0, 0, 0, 0, 0, 0]
        #expect(try !one.withUnsafeBytes { bytes throws(BlockError) in try SDConfigurationRegister(bytes: bytes) }.supportsFourBitBus)
        for bad: [UInt8] in [[0x12, 0x05, 0, 0, 0, 0, 0, 0], [0x02, 0x04, 0, 0, 0, 0, 0, 0], [0x02, 0x05]] {
            #expect(throws: BlockError.protocolViolation) {
                try bad.withUnsafeBytes { bytes throws(BlockError) in try SDConfigurationRegister(bytes: bytes) }
            }
        }
    }

    @Test func cardStatus() {
        let transfer = SDCardStatus(rawValue: 0x0000_0900)
        #expect(transfer.state == .transfer && transfer.isReadyForData && !transfer.hasError)
        #expect(SDCardStatus(rawValue: 0x0000_0e00).state == .programming)
        #expect(SDCardStatus(rawValue: 0x0000_1e00).state == nil)
        #expect(SDCardStatus(rawValue: 0x0000_0120).expectsApplicationCommand)
        #expect(SDCardStatus(rawValue: 1 << 31).hasError)
        #expect(SDCardStatus(rawValue: 1 << 22).hasError)
        #expect(SDCardStatus(rawValue: 1 << 3).hasError)
        // CARD_IS_LOCKED, ERASE_RESET and the state are not errors.
        #expect(!SDCardStatus(rawValue: 1 << 25 | 1 << 13 | 0x1f00).hasError)
    }

    @Test func operatingConditionsAndEchoes() {
        let ready = SDOperatingConditions(rawValue: 0xc0ff_8000)
        #expect(ready.isPoweredUp && ready.isHighCapacity && ready.supportsHostVoltage)
        let busy = SDOperatingConditions(rawValue: 0x00ff_8000)
        #expect(!busy.isPoweredUp)
        #expect(!SDOperatingConditions(rawValue: 0x8000_0080).supportsHostVoltage)
        #expect(SDInterfaceCondition.isValidEcho(0x1aa))
        #expect(SDInterfaceCondition.isValidEcho(0x0000_11aa))
        #expect(!SDInterfaceCondition.isValidEcho(0x1ab))
        #expect(!SDInterfaceCondition.isValidEcho(0x2aa))
        let published = SDPublishedAddress(response: 0xb368_0500)
        #expect(published.relativeAddress == 0xb368 && !published.hasError)
        #expect(SDPublishedAddress(response: 0xb368_8500).hasError)
    }

    /// Any 128 bits either parse to a bounded capacity or throw: never a trap.
    @Test func arbitraryRegistersNeverTrap() {
        var state: UInt64 = 0x5eed_5d
        func next() -> UInt32 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return UInt32(truncatingIfNeeded: state >> 32)
        }
        var parsed = 0
        for round in 0..<20_000 {
            var response = SDResponse(word0: next(), word1: next(), word2: next(), word3: next())
            // Half the rounds keep a valid structure and command classes, to reach the arithmetic.
            if round % 2 == 0 {
                response.word3 = response.word3 & 0x3fff_ffff | (round % 4 == 0 ? 0 : 0x4000_0000)
                response.word2 |= 0x0050_0000
                if round % 4 == 0 { response.word2 = response.word2 & 0xfff0_ffff | 0x0009_0000 }
            }
            if let csd = try? SDCardSpecificData(response: response) {
                parsed += 1
                #expect(csd.blockCount > 0 && csd.blockCount <= (1 << 22) * 1024)
            }
            let bytes: [UInt8] = (0..<8).map { _ in UInt8(truncatingIfNeeded: next()) }
            _ = try? bytes.withUnsafeBytes { raw throws(BlockError) in try SDConfigurationRegister(bytes: raw) }
        }
        #expect(parsed > 5_000)
    }
}

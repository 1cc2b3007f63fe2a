// The SD card protocol over a simulated card: identification of each card kind, transfers, and every failure as a typed error.
import Testing
import Capabilities
import Storage

@Suite struct SDCardTests {
    func identify(_ card: SimulatedSDCard) throws(BlockError) -> SDCard<SimulatedSDCard> {
        try SDCard.identify(host: card, clock: { [unowned card] in card.nanoseconds })
    }

    func pattern(_ count: Int, seed: Int) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 9 &+ seed) }
    }

    @Test func identifiesAHighCapacityCard() throws {
        let card = SimulatedSDCard(blockCount: 4096, highCapacity: true)
        let disk = try identify(card)
        #expect(disk.isHighCapacity && disk.isVersion2)
        #expect(disk.sectorCount == 4096 && disk.sectorSize == 512)
        #expect(disk.relativeAddress == 0xb368)
        #expect(disk.busWidth == 4 && card.hostFourBits && card.cardFourBits)
        #expect(!disk.isReadOnly)
        #expect(card.clockHertz == 25_000_000)
        // Three ACMD41s (two busy), no CMD16 for a block-addressed card.
        #expect(card.indices == [0, 8, 55, 41, 55, 41, 55, 41, 2, 3, 9, 7, 55, 51, 55, 6])
        #expect(card.commands[3].argument & SDOperatingConditions.capacityStatus != 0)
        #expect(disk.identification.bits(127, 120) == 0x03)
    }

    @Test func identifiesAStandardCapacityCard() throws {
        let card = SimulatedSDCard(blockCount: 2048, highCapacity: false)
        let disk = try identify(card)
        #expect(!disk.isHighCapacity && disk.isVersion2)
        #expect(disk.sectorCount == 2048)
        #expect(card.indices.last == 16 && card.commands.last?.argument == 512)
        // Byte addressing: sector 3 is byte 1536.
        let data = pattern(512, seed: 1)
        try data.withUnsafeBytes { try disk.write(sector: 3, from: $0) }
        #expect(card.commands.last { $0.index == 24 }?.argument == 1536)
        #expect(Array(card.blocks[1536..<2048]) == data)
    }

    @Test func identifiesAVersion1Card() throws {
        let card = SimulatedSDCard(blockCount: 1024, highCapacity: false)
        card.isVersion2 = false
        let disk = try identify(card)
        #expect(!disk.isVersion2 && !disk.isHighCapacity)
        #expect(Array(card.indices.prefix(4)) == [0, 8, 0, 55])
        // No HCS for a card that did not answer CMD8.
        #expect(card.commands[4].argument & SDOperatingConditions.capacityStatus == 0)
    }

    @Test func keepsOneDataLineWhenEitherSideLacksFour() throws {
        let card = SimulatedSDCard(blockCount: 4096, highCapacity: true)
        card.cardSupportsFourBits = false
        #expect(try identify(card).busWidth == 1)
        #expect(!card.indices.contains(6) && !card.hostFourBits)
        let host = SimulatedSDCard(blockCount: 4096, highCapacity: true)
        host.supportsFourBitBus = false
        #expect(try identify(host).busWidth == 1)
        #expect(!host.indices.contains(51))
    }

    @Test func identificationFailures() {
        let empty = SimulatedSDCard(blockCount: 4096, highCapacity: true)
        empty.isEmpty = true
        #expect(throws: BlockError.timeout) { try identify(empty) }

        let neverReady = SimulatedSDCard(blockCount: 4096, highCapacity: true)
        neverReady.powerUpPolls = .max
        #expect(throws: BlockError.timeout) { try identify(neverReady) }
        // Bounded by the one-second deadline at 1 ms per command (CMD55 + ACMD41 per round).
        #expect(neverReady.commands.count < 1100)

        let badEcho = SimulatedSDCard(blockCount: 4096, highCapacity: true)
        badEcho.echoOverride = 0x1ab
        #expect(throws: BlockError.protocolViolation) { try identify(badEcho) }

        let badCSD = SimulatedSDCard(blockCount: 4096, highCapacity: true)
        badCSD.specificDataOverride = SDResponse(word3: 0xc000_0000)
        #expect(throws: BlockError.protocolViolation) { try identify(badCSD) }

        // A high-capacity card whose CSD says version 1.0 contradicts itself.
        let mismatched = SimulatedSDCard(blockCount: 2048, highCapacity: false)
        mismatched.specificDataOverride = SimulatedSDCard(blockCount: 2048, highCapacity: true).specificData()
        #expect(throws: BlockError.protocolViolation) { try identify(mismatched) }

        let badSCR = SimulatedSDCard(blockCount: 4096, highCapacity: true)
        badSCR.configurationOverride = [0xf0, 0x05, 0, 0, 0, 0, 0, 0]
        #expect(throws: BlockError.protocolViolation) { try identify(badSCR) }
    }

    @Test func multiBlockRoundTripsAcrossCommandLimits() throws {
        let card = SimulatedSDCard(blockCount: 4096, highCapacity: true)
        card.programmingPolls = 3
        let disk = try identify(card)
        let sectors = 2500
        let data = pattern(sectors * 512, seed: 7)
        try data.withUnsafeBytes { try disk.write(sector: 100, from: $0) }
        var back = [UInt8](repeating: 0, count: sectors * 512)
        try back.withUnsafeMutableBytes { try disk.read(sector: 100, into: $0) }
        #expect(back == data)
        #expect(Array(card.blocks[100 * 512..<(100 + sectors) * 512]) == data)
        let writes = card.commands.filter { $0.index == 25 }
        #expect(writes.map { $0.argument } == [100, 1124, 2148])
        #expect(writes.allSatisfy { $0.stopsAfterTransfer })
        #expect(card.commands.filter { $0.index == 18 }.count == 3)
        // Each write waited for programming to end: 3 busy answers and one ready, per command.
        #expect(card.commands.filter { $0.index == 13 }.count == 3 * 4)

        var one = [UInt8](repeating: 0, count: 512)
        try one.withUnsafeMutableBytes { try disk.read(sector: 4095, into: $0) }
        #expect(card.indices.last == 17 && card.commands.last?.argument == 4095)
        try disk.flush()
    }

    @Test func requestsAreValidated() throws {
        let disk = try identify(SimulatedSDCard(blockCount: 1024, highCapacity: true))
        var buffer = [UInt8](repeating: 0, count: 1024)
        #expect(throws: BlockError.outOfRange) { try buffer.withUnsafeMutableBytes { try disk.read(sector: 1023, into: $0) } }
        #expect(throws: BlockError.misaligned) { try buffer.withUnsafeMutableBytes { try disk.read(sector: 0, into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<100])) } }
    }

    @Test func dataErrorsAreTypedAndTheCardRecovers() throws {
        let card = SimulatedSDCard(blockCount: 4096, highCapacity: true)
        let disk = try identify(card)
        var buffer = [UInt8](repeating: 0, count: 4096)
        for failure: BlockError in [.deviceError, .timeout, .protocolViolation] {
            card.failNextData = failure
            #expect(throws: failure) { try buffer.withUnsafeMutableBytes { try disk.read(sector: 8, into: $0) } }
            // The transfer was stopped with CMD12.
            #expect(card.indices.last == 12)
            try buffer.withUnsafeMutableBytes { try disk.read(sector: 8, into: $0) }
        }
        card.failNextData = .deviceError
        #expect(throws: BlockError.deviceError) { try buffer.withUnsafeBytes { try disk.write(sector: 8, from: $0) } }
        // The next request first checks that the card is back in the transfer state.
        try buffer.withUnsafeBytes { try disk.write(sector: 8, from: $0) }
        #expect(card.indices.contains(13))

        card.statusBitsOnNextData = SDCardStatus.outOfRange
        #expect(throws: BlockError.deviceError) { try buffer.withUnsafeMutableBytes { try disk.read(sector: 8, into: $0) } }
        card.statusBitsOnNextData = 1 << 21   // CARD_ECC_FAILED
        #expect(throws: BlockError.deviceError) { try buffer.withUnsafeMutableBytes { try disk.read(sector: 8, into: $0) } }
        try buffer.withUnsafeMutableBytes { try disk.read(sector: 8, into: $0) }
    }

    @Test func aCardStuckProgrammingTimesOut() throws {
        let card = SimulatedSDCard(blockCount: 4096, highCapacity: true)
        let disk = try identify(card)
        card.programmingPolls = .max
        let block = [UInt8](repeating: 0x5a, count: 512)
        #expect(throws: BlockError.timeout) { try block.withUnsafeBytes { try disk.write(sector: 0, from: $0) } }
        #expect(card.commands.count < 1200)
        #expect(throws: BlockError.timeout) { try disk.flush() }
    }

    /// A clock that never advances still cannot make a wait endless: every loop also counts.
    @Test func aStoppedClockStillEndsEveryWait() throws {
        let neverReady = SimulatedSDCard(blockCount: 4096, highCapacity: true)
        neverReady.powerUpPolls = .max
        #expect(throws: BlockError.timeout) { try SDCard.identify(host: neverReady, clock: { 0 }) }
        let card = SimulatedSDCard(blockCount: 4096, highCapacity: true)
        let disk = try SDCard.identify(host: card, clock: { 0 })
        card.programmingPolls = .max
        let block = [UInt8](repeating: 1, count: 512)
        #expect(throws: BlockError.timeout) { try block.withUnsafeBytes { try disk.write(sector: 0, from: $0) } }
    }

    @Test func aWriteProtectedCardIsReadOnly() throws {
        let card = SimulatedSDCard(blockCount: 4096, highCapacity: true)
        card.isWriteProtected = true
        let disk = try identify(card)
        #expect(disk.isReadOnly)
        let block = [UInt8](repeating: 0, count: 512)
        #expect(throws: BlockError.readOnly) { try block.withUnsafeBytes { try disk.write(sector: 0, from: $0) } }
        #expect(throws: BlockError.readOnly) { try disk.flush() }
    }

    /// Random reads and writes of random lengths with random failures: every successful read
    /// returns what the last successful writes left, on both card kinds. (The simulated card
    /// fails before it stores any block, so a failed write changes nothing.)
    @Test(arguments: [true, false]) func randomTrafficWithFaultsKeepsData(highCapacity: Bool) throws {
        let card = SimulatedSDCard(blockCount: 3072, highCapacity: highCapacity)
        card.programmingPolls = 2
        let disk = try identify(card)
        var model = [UInt8](repeating: 0, count: 3072 * 512)
        var state: UInt64 = highCapacity ? 1 : 2
        func next(_ bound: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int(state >> 33) % bound
        }
        let failures: [BlockError] = [.deviceError, .timeout, .protocolViolation]
        for round in 0..<300 {
            let count = 1 + next(next(4) == 0 ? 1500 : 8)
            let sector = next(3072 - count + 1)
            let injected = next(5) == 0 ? failures[next(3)] : nil
            card.failNextData = injected
            if next(2) == 0 {
                let data = (0..<count * 512).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ round) }
                do {
                    try data.withUnsafeBytes { try disk.write(sector: UInt64(sector), from: $0) }
                    #expect(injected == nil)
                    model.replaceSubrange(sector * 512..<(sector + count) * 512, with: data)
                } catch {
                    #expect(error as? BlockError == injected)
                }
            } else {
                var data = [UInt8](repeating: 0, count: count * 512)
                do {
                    try data.withUnsafeMutableBytes { try disk.read(sector: UInt64(sector), into: $0) }
                    #expect(injected == nil)
                    #expect(data[...] == model[sector * 512..<(sector + count) * 512])
                } catch {
                    #expect(error as? BlockError == injected)
                }
            }
            card.failNextData = nil
        }
        #expect(card.blocks == model)
    }
}


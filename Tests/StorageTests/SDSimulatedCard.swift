// A simulated SD card behind a simulated host controller, with fault injection, for the SD protocol tests.
import Capabilities
import Storage

/// Answers commands the way an SD card in a working host does (SD 9.00 chapter 4), keeps its
/// blocks in memory and records every command it was sent. The clock advances 1 ms per command,
/// so the card protocol's deadlines run out quickly in tests that never power up.
final class SimulatedSDCard: SDHostController {
    var blocks: [UInt8]
    let blockCount: Int
    var isHighCapacity: Bool
    var isVersion2 = true
    var isWriteProtected = false
    var cardSupportsFourBits = true
    var supportsFourBitBus = true
    /// ACMD41s answered "busy" before power-up completes (Int.max: never).
    var powerUpPolls = 2
    /// CMD13s answered "programming" after each write (Int.max: forever).
    var programmingPolls = 1
    var echoOverride: UInt32?
    var specificDataOverride: SDResponse?
    var configurationOverride: [UInt8]?
    /// The next data command fails in the data phase with this error.
    var failNextData: BlockError?
    /// The next data command's R1 carries these status bits.
    var statusBitsOnNextData: UInt32 = 0
    /// No card: nothing answers.
    var isEmpty = false

    private(set) var commands: [SDCommand] = []
    private(set) var hostFourBits = false
    private(set) var clockHertz: UInt32 = 0
    private(set) var cardFourBits = false
    private(set) var blockLength = 0
    var nanoseconds: UInt64 = 0
    private var applicationPending = false
    private var powerUpCount = 0
    private var programmingLeft = 0
    private var state: SDCardStatus.State = .idle
    let relativeAddress: UInt16 = 0xb368

    init(blockCount: Int, highCapacity: Bool) {
        self.blockCount = blockCount
        self.isHighCapacity = highCapacity
        blocks = [UInt8](repeating: 0, count: blockCount * 512)
    }

    var indices: [UInt8] { commands.map { $0.index } }

    func setClock(hertz: UInt32) throws(BlockError) -> UInt32 {
        clockHertz = hertz
        return hertz
    }

    func setBusWidth(fourBits: Bool) throws(BlockError) { hostFourBits = fourBits }

    private func status(_ extra: UInt32 = 0) -> SDResponse {
        SDResponse(state.rawValue << 9 | SDCardStatus.readyForData | extra)
    }

    func send(_ command: SDCommand, data: SDData) throws(BlockError) -> SDResponse {
        commands.append(command)
        nanoseconds += 1_000_000
        if isEmpty { throw .timeout }
        let application = applicationPending
        applicationPending = false
        switch (command.index, application) {
        case (0, _):
            state = .idle
            return SDResponse(0)
        case (8, false):
            if !isVersion2 { throw .timeout }
            return SDResponse(echoOverride ?? command.argument & 0xfff)
        case (55, _):
            applicationPending = true
            return status(SDCardStatus.applicationCommand)
        case (41, true):
            powerUpCount += 1
            var ocr = SDOperatingConditions.voltageWindow
            if powerUpCount > powerUpPolls {
                ocr |= SDOperatingConditions.powerUpComplete
                if isHighCapacity && command.argument & SDOperatingConditions.capacityStatus != 0 {
                    ocr |= SDOperatingConditions.capacityStatus
                }
                state = .ready
            }
            return SDResponse(ocr)
        case (2, false):
            state = .identification
            return SDResponse(registerBytes: [0x03, 0x53, 0x44, 0x53, 0x45, 0x41, 0x4c, 0x21, 0x10,
                                              0xde, 0xad, 0xbe, 0xef, 0x01, 0x6a, 0x01])
        case (3, false):
            state = .standBy
            return SDResponse(UInt32(relativeAddress) << 16 | 0x0500)
        case (9, false):
            guard command.argument >> 16 == UInt32(relativeAddress) else { throw .timeout }
            return specificDataOverride ?? specificData()
        case (7, false):
            guard command.argument >> 16 == UInt32(relativeAddress) else { throw .timeout }
            let answer = status()
            state = .transfer
            return answer
        case (51, true):
            guard case .read(let buffer, let blockSize) = data, blockSize == 8, buffer.count == 8 else {
                throw .protocolViolation
            }
            let bytes = configurationOverride ?? [0x02, cardSupportsFourBits ? 0x05 : 0x01, 0, 0, 0, 0, 0, 0]
            for index in 0..<8 { buffer[index] = bytes[index] }
            return status(SDCardStatus.applicationCommand)
        case (6, true):
            cardFourBits = command.argument == 2
            return status(SDCardStatus.applicationCommand)
        case (16, false):
            blockLength = Int(command.argument)
            return status()
        case (17, false), (18, false), (24, false), (25, false):
            return try transfer(command, data: data)
        case (12, false):
            state = .transfer
            return status()
        case (13, false):
            if programmingLeft > 0 {
                if programmingLeft != Int.max { programmingLeft -= 1 }
                return SDResponse(SDCardStatus.State.programming.rawValue << 9)
            }
            return status()
        default:
            return SDResponse(state.rawValue << 9 | SDCardStatus.illegalCommand)
        }
    }

    private func transfer(_ command: SDCommand, data: SDData) throws(BlockError) -> SDResponse {
        guard state == .transfer else { return status(SDCardStatus.illegalCommand) }
        let multiple = command.index == 18 || command.index == 25
        guard command.stopsAfterTransfer == multiple else { throw .protocolViolation }
        let sector: Int
        if isHighCapacity {
            sector = Int(command.argument)
        } else {
            guard command.argument % 512 == 0, blockLength == 512 else { return status(SDCardStatus.addressError) }
            sector = Int(command.argument) / 512
        }
        if let failure = failNextData {
            failNextData = nil
            state = command.direction == .read ? .sendingData : .receivingData
            throw failure
        }
        let extra = statusBitsOnNextData
        statusBitsOnNextData = 0
        switch data {
        case .read(let buffer, let blockSize):
            guard blockSize == 512, (command.index == 17) == (buffer.count == 512) else { throw .protocolViolation }
            guard sector + buffer.count / 512 <= blockCount else { return status(SDCardStatus.outOfRange) }
            blocks.withUnsafeBytes { disk in
                buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: disk[sector * 512..<sector * 512 + buffer.count]))
            }
        case .write(let buffer, let blockSize):
            guard blockSize == 512, (command.index == 24) == (buffer.count == 512) else { throw .protocolViolation }
            guard sector + buffer.count / 512 <= blockCount else { return status(SDCardStatus.outOfRange) }
            blocks.withUnsafeMutableBytes { disk in
                UnsafeMutableRawBufferPointer(rebasing: disk[sector * 512..<sector * 512 + buffer.count]).copyMemory(from: buffer)
            }
            programmingLeft = programmingPolls
        case .none:
            throw .protocolViolation
        }
        return status(extra)
    }

    /// A CSD for the card's size: version 2.0 for high capacity, else 1.0 with 512-byte blocks.
    func specificData() -> SDResponse {
        var value: [UInt8] = [UInt8](repeating: 0, count: 16)
        func set(_ high: Int, _ low: Int, _ field: UInt64) {
            for bit in low...high where field >> UInt64(bit - low) & 1 != 0 {
                value[15 - bit / 8] |= UInt8(1 << (bit % 8))
            }
        }
        set(103, 96, 0x32)
        set(95, 84, 0x5b5)
        set(83, 80, 9)
        if isHighCapacity {
            set(127, 126, 1)
            set(69, 48, UInt64(blockCount / 1024 - 1))
        } else {
            set(49, 47, 7)
            set(73, 62, UInt64(blockCount / 512 - 1))
        }
        if isWriteProtected { set(12, 12, 1) }
        set(0, 0, 1)
        return SDResponse(registerBytes: value)
    }
}

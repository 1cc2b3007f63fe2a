/// The sun4i SD/MMC host controller's registers (Allwinner A10 User Manual §"SD/MMC"; QEMU hw/sd/allwinner-sdhost.c): commands, responses, PIO data through the FIFO.
import Capabilities
import Platform
import Storage

/// One command at a time, polled: the driver writes the command register and polls the raw
/// interrupt status until the command, then the data, are done or an error bit appears, each
/// wait bounded by a deadline on the clock the board passes in. The controller's interrupt
/// (32 on the A10) stays masked: a synchronous `BlockDevice` has nothing else to do meanwhile.
///
/// Data moves by PIO through the FIFO (AHB access, GCTL bit 31), not the internal DMA: the CPU
/// copies every word, so no descriptor and no buffer is shared with the device and the caches
/// need no maintenance (with the IDMAC a buffer would need a clean before a write and an
/// invalidate after a read; Seal maps RAM normal cacheable). QEMU models both paths.
public final class SunxiMMCController: SDHostController {
    public let base: UInt
    /// The clock-control unit (CCU): when set, the driver gates the controller's bus clock on
    /// and runs its module clock from the 24 MHz oscillator; when nil it trusts the module clock
    /// firmware (U-Boot) left and assumes 24 MHz.
    public let clockControllerBase: UInt?
    public let supportsFourBitBus: Bool
    /// The card clock last set (0 while stopped).
    public private(set) var cardClockHertz: UInt32 = 0
    let now: () -> UInt64

    // Registers.
    private var globalControl: Register32 { Register32(base + 0x00) }
    private var clockControl: Register32 { Register32(base + 0x04) }
    private var timeoutControl: Register32 { Register32(base + 0x08) }
    private var busWidth: Register32 { Register32(base + 0x0c) }
    private var blockSize: Register32 { Register32(base + 0x10) }
    private var byteCount: Register32 { Register32(base + 0x14) }
    private var command: Register32 { Register32(base + 0x18) }
    private var argument: Register32 { Register32(base + 0x1c) }
    private func response(_ index: UInt) -> Register32 { Register32(base + 0x20 + 4 * index) }
    private var interruptMask: Register32 { Register32(base + 0x30) }
    private var rawInterruptStatus: Register32 { Register32(base + 0x38) }
    private var status: Register32 { Register32(base + 0x3c) }
    /// The FIFO of the sun4i variant (later SoCs moved it to 0x200).
    private var fifo: Register32 { Register32(base + 0x100) }

    // GCTL bits.
    static let softReset: UInt32 = 1 << 0
    static let fifoReset: UInt32 = 1 << 1
    static let dmaReset: UInt32 = 1 << 2
    static let fifoAccessByAHB: UInt32 = 1 << 31
    // CKCR: card clock on (bit 16), divider (bits 7–0: the module clock / (2 · divider), or
    // undivided for 0).
    static let cardClockOn: UInt32 = 1 << 16
    // CMDR bits.
    static let responseExpected: UInt32 = 1 << 6
    static let longResponse: UInt32 = 1 << 7
    static let checkResponseCRC: UInt32 = 1 << 8
    static let dataTransfer: UInt32 = 1 << 9
    static let writeData: UInt32 = 1 << 10
    static let autoStop: UInt32 = 1 << 12
    static let waitForPrevious: UInt32 = 1 << 13
    static let initializationSequence: UInt32 = 1 << 15
    static let updateClockOnly: UInt32 = 1 << 21
    static let start: UInt32 = 1 << 31
    // RISR bits.
    static let responseError: UInt32 = 1 << 1
    static let commandDone: UInt32 = 1 << 2
    static let dataOver: UInt32 = 1 << 3
    static let responseCRCError: UInt32 = 1 << 6
    static let dataCRCError: UInt32 = 1 << 7
    static let responseTimeout: UInt32 = 1 << 8
    static let dataTimeout: UInt32 = 1 << 9
    static let starvationTimeout: UInt32 = 1 << 10
    static let fifoRunError: UInt32 = 1 << 11
    static let hardwareLocked: UInt32 = 1 << 12
    static let startBitError: UInt32 = 1 << 13
    static let autoCommandDone: UInt32 = 1 << 14
    static let endBitError: UInt32 = 1 << 15
    static let responseErrors = responseError | responseCRCError | responseTimeout | hardwareLocked
    static let dataErrors = dataCRCError | dataTimeout | starvationTimeout | fifoRunError | startBitError | endBitError
    static let timeouts = responseTimeout | dataTimeout | starvationTimeout
    // STAR bits.
    static let fifoEmpty: UInt32 = 1 << 2
    static let fifoFull: UInt32 = 1 << 3
    static let cardBusy: UInt32 = 1 << 9
    /// The module clock the divider works from (the 24 MHz oscillator).
    static let moduleClockHertz: UInt32 = 24_000_000
    /// A command answers within 64 clocks; this is generous for 400 kHz and a slow emulator.
    static let commandTimeout: UInt64 = 500_000_000
    static let dataTimeoutBase: UInt64 = 1_000_000_000
    static let dataTimeoutPerBlock: UInt64 = 5_000_000
    /// A second bound on every polling loop, in case the clock passed in does not advance:
    /// register reads in a row without progress (seconds, on hardware and in QEMU).
    static let maximumIdlePolls = 20_000_000

    init(base: UInt, clockControllerBase: UInt?, supportsFourBitBus: Bool, now: @escaping () -> UInt64) {
        self.base = base
        self.clockControllerBase = clockControllerBase
        self.supportsFourBitBus = supportsFourBitBus
        self.now = now
    }

    /// Gates the clocks on (if the CCU is known) and resets the controller: FIFO access by the
    /// CPU, all timeouts at their maximum, every interrupt masked and cleared.
    func reset() throws(BlockError) {
        if let ccu = clockControllerBase {
            // A10 CCU: AHB_GATING_REG0 bit 8 is SD/MMC 0; SD0_CLK_REG (0x88): enable (bit 31),
            // source OSC24M (bits 25–24 = 0), dividers 1 (N = 0, M = 0).
            Register32(ccu + 0x60).modify { $0 |= 1 << 8 }
            Register32(ccu + 0x88).write(1 << 31)
        }
        globalControl.write(Self.softReset | Self.fifoReset | Self.dmaReset)
        try wait(Self.commandTimeout) { globalControl.read() & (Self.softReset | Self.fifoReset | Self.dmaReset) == 0 }
        globalControl.write(Self.fifoAccessByAHB)
        timeoutControl.write(0xffff_ffff)
        interruptMask.write(0)
        rawInterruptStatus.write(0xffff_ffff)
    }

    @discardableResult
    public func setClock(hertz: UInt32) throws(BlockError) -> UInt32 {
        guard hertz > 0 else { throw .unsupported }
        // The smallest divider that does not exceed the asked-for rate.
        var divider: UInt32 = 0
        if hertz < Self.moduleClockHertz {
            divider = (Self.moduleClockHertz + 2 * hertz - 1) / (2 * hertz)
            guard divider <= 0xff else { throw .unsupported }
        }
        // The card clock is stopped while the divider changes; each change reaches the card
        // clock through an "update clock" command (CMDR bit 21).
        clockControl.write(clockControl.read() & ~Self.cardClockOn)
        try updateClock()
        clockControl.write(divider)
        try updateClock()
        clockControl.write(divider | Self.cardClockOn)
        try updateClock()
        cardClockHertz = divider == 0 ? Self.moduleClockHertz : Self.moduleClockHertz / (2 * divider)
        return cardClockHertz
    }

    private func updateClock() throws(BlockError) {
        command.write(Self.start | Self.updateClockOnly | Self.waitForPrevious)
        try wait(Self.commandTimeout) { command.read() & Self.start == 0 }
        rawInterruptStatus.write(0xffff_ffff)
    }

    public func setBusWidth(fourBits: Bool) throws(BlockError) {
        busWidth.write(fourBits ? 1 : 0)
    }

    public func send(_ sdCommand: SDCommand, data: SDData) throws(BlockError) -> SDResponse {
        try wait(Self.commandTimeout) { command.read() & Self.start == 0 }
        var bits = UInt32(sdCommand.index & 0x3f) | Self.start | Self.waitForPrevious
        if sdCommand.response.hasResponse { bits |= Self.responseExpected }
        if sdCommand.response.isLong { bits |= Self.longResponse }
        if sdCommand.response.checksCRC { bits |= Self.checkResponseCRC }
        if sdCommand.sendsInitializationClocks { bits |= Self.initializationSequence }
        var blocks = 0
        var transferBytes = 0
        var transferBlockSize = 0
        switch data {
        case .none:
            break
        case .read(let buffer, let size):
            transferBytes = buffer.count
            transferBlockSize = size
        case .write(let buffer, let size):
            transferBytes = buffer.count
            transferBlockSize = size
            bits |= Self.writeData
        }
        if transferBytes > 0 {
            guard transferBlockSize > 0, transferBlockSize % 4 == 0, transferBytes % transferBlockSize == 0,
                  let totalBytes = UInt32(exactly: transferBytes) else { throw .misaligned }
            blocks = transferBytes / transferBlockSize
            bits |= Self.dataTransfer
            if sdCommand.stopsAfterTransfer { bits |= Self.autoStop }
            globalControl.write(globalControl.read() | Self.fifoReset)
            try wait(Self.commandTimeout) { globalControl.read() & Self.fifoReset == 0 }
            blockSize.write(UInt32(transferBlockSize))
            byteCount.write(totalBytes)
        }
        rawInterruptStatus.write(0xffff_ffff)
        argument.write(sdCommand.argument)
        command.write(bits)

        // The command phase.
        try waitForInterrupt(Self.commandDone, errors: Self.responseErrors, timeout: Self.commandTimeout)
        var answer = SDResponse()
        if sdCommand.response.isLong {
            answer = SDResponse(word0: response(0).read(), word1: response(1).read(), word2: response(2).read(),
                                word3: response(3).read())
        } else if sdCommand.response.hasResponse {
            answer = SDResponse(response(0).read())
        }

        // The data phase.
        if transferBytes > 0 {
            let timeout = Self.dataTimeoutBase + Self.dataTimeoutPerBlock * UInt64(blocks)
            switch data {
            case .read(let buffer, _): try readFIFO(into: buffer, timeout: timeout)
            case .write(let buffer, _): try writeFIFO(from: buffer, timeout: timeout)
            case .none: break
            }
            try waitForInterrupt(Self.dataOver, errors: Self.dataErrors, timeout: timeout)
            if sdCommand.stopsAfterTransfer {
                try waitForInterrupt(Self.autoCommandDone, errors: Self.dataErrors | Self.responseErrors,
                                     timeout: Self.commandTimeout)
            }
        }
        // R1b, a write, or an automatic CMD12 after one: the card holds DAT0 low while busy.
        if sdCommand.response.isBusy || sdCommand.direction == .write {
            try wait(Self.dataTimeoutBase) { status.read() & Self.cardBusy == 0 }
        }
        rawInterruptStatus.write(0xffff_ffff)
        return answer
    }

    /// Copies words out of the FIFO as they arrive, as many as STAR's FIFO level says are there.
    private func readFIFO(into buffer: UnsafeMutableRawBufferPointer, timeout: UInt64) throws(BlockError) {
        let deadline = now() &+ timeout
        var offset = 0
        var idlePolls = 0
        while offset < buffer.count {
            let state = status.read()
            if state & Self.fifoEmpty != 0 {
                try checkDataErrors()
                idlePolls += 1
                if now() > deadline || idlePolls > Self.maximumIdlePolls { try fail(.timeout) }
                continue
            }
            idlePolls = 0
            // FIFO level (bits 21–17); a full FIFO of 32 words may read as level 0.
            var words = Int((state >> 17) & 0x1f)
            if words == 0 { words = state & Self.fifoFull != 0 ? 16 : 1 }
            while words > 0 && offset < buffer.count {
                buffer.storeBytes(of: UInt32(littleEndian: fifo.read()), toByteOffset: offset, as: UInt32.self)
                offset += 4
                words -= 1
            }
        }
    }

    private func writeFIFO(from buffer: UnsafeRawBufferPointer, timeout: UInt64) throws(BlockError) {
        let deadline = now() &+ timeout
        var offset = 0
        var idlePolls = 0
        while offset < buffer.count {
            if status.read() & Self.fifoFull != 0 {
                try checkDataErrors()
                idlePolls += 1
                if now() > deadline || idlePolls > Self.maximumIdlePolls { try fail(.timeout) }
                continue
            }
            idlePolls = 0
            fifo.write(UInt32(littleEndian: buffer.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
            offset += 4
        }
    }

    private func checkDataErrors() throws(BlockError) {
        let raised = rawInterruptStatus.read()
        if raised & (Self.dataErrors | Self.responseErrors) != 0 { try fail(Self.error(for: raised)) }
    }

    /// Polls RISR until `done` is raised; an error bit or the deadline ends the wait.
    private func waitForInterrupt(_ done: UInt32, errors: UInt32, timeout: UInt64) throws(BlockError) {
        let deadline = now() &+ timeout
        var polls = 0
        while true {
            let raised = rawInterruptStatus.read()
            if raised & errors != 0 { try fail(Self.error(for: raised)) }
            if raised & done != 0 { return }
            polls += 1
            if now() > deadline || polls > Self.maximumIdlePolls { try fail(.timeout) }
        }
    }

    /// The error a set of RISR bits means: a CRC, start- or end-bit or FIFO error is the card's
    /// or the bus's fault; a missing answer is a timeout. QEMU's model flags a command nothing
    /// answered with bit 1 alone ("response error"); hardware raises bit 8 for that.
    static func error(for raised: UInt32) -> BlockError {
        if raised & (responseCRCError | dataCRCError | startBitError | endBitError | fifoRunError | hardwareLocked) != 0 {
            return .deviceError
        }
        if raised & (timeouts | responseError) != 0 { return .timeout }
        return .protocolViolation
    }

    /// Leaves the controller ready for the next command: FIFO and state machine reset,
    /// status cleared. Then throws.
    private func fail(_ error: BlockError) throws(BlockError) -> Never {
        globalControl.write(globalControl.read() | Self.fifoReset | Self.dmaReset)
        var polls = 0
        while globalControl.read() & (Self.fifoReset | Self.dmaReset) != 0 && polls < 100_000 { polls += 1 }
        rawInterruptStatus.write(0xffff_ffff)
        throw error
    }

    private func wait(_ timeout: UInt64, until condition: () -> Bool) throws(BlockError) {
        let deadline = now() &+ timeout
        var polls = 0
        while !condition() {
            polls += 1
            if now() > deadline || polls > Self.maximumIdlePolls { try fail(.timeout) }
        }
    }
}

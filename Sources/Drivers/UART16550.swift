/// A 16550-compatible UART (the A10's Synopsys DesignWare APB UART; binding snps,dw-apb-uart): polled transmit, interrupt-driven receive into a ring.
import ARMBoot
import Capabilities
import Platform

public struct UART16550: SerialPort {
    let base: UInt
    /// log2 of the register stride (`reg-shift`: 2 on the A10, registers 4 bytes apart).
    let shift: UInt
    /// `reg-io-width` 4: every register is read and written as a 32-bit word.
    let wordAccess: Bool

    // Register indices (PC16550D data sheet, table 2), before the stride is applied.
    private static let data: UInt = 0            // RBR on read, THR on write (DLAB = 0)
    private static let interruptEnable: UInt = 1
    private static let fifoControl: UInt = 2      // FCR on write; IIR on read
    private static let lineControl: UInt = 3
    private static let lineStatus: UInt = 5
    /// DesignWare's UART status register (USR): reading it clears a busy-detect interrupt.
    private static let designWareStatus: UInt = 31

    // Bits.
    private static let dataReady: UInt32 = 1 << 0             // LSR.DR
    private static let transmitHoldingEmpty: UInt32 = 1 << 5  // LSR.THRE
    private static let divisorLatchAccess: UInt32 = 1 << 7    // LCR.DLAB
    private static let receiveInterrupts: UInt32 = 1 << 0     // IER.ERBFI (data and timeout)
    private static let fifoEnable: UInt32 = 1 << 0            // FCR.FIFOE, trigger level 1 byte, no reset bits
    private static let busyDetect: UInt32 = 0x7                // IIR interrupt id (DesignWare)

    /// Bytes received by the interrupt handler and not yet read.
    nonisolated(unsafe) public static var received = ByteRing()

    public init(base: UInt, registerShift: UInt, registerWidth: UInt) {
        self.base = base
        shift = registerShift
        wordAccess = registerWidth == 4
    }

    @inline(__always)
    private func read(_ index: UInt) -> UInt32 {
        let address = base + (index << shift)
        return wordAccess ? Register32(address).read() : UInt32(Register8(address).read())
    }

    @inline(__always)
    private func write(_ index: UInt, _ value: UInt32) {
        let address = base + (index << shift)
        if wordAccess { Register32(address).write(value) } else { Register8(address).write(UInt8(truncatingIfNeeded: value)) }
    }

    /// Keeps the line settings firmware chose (U-Boot sets 115200 8N1; QEMU ignores them),
    /// leaves the divisor latch, drains what arrived before, sets a one-byte receive trigger,
    /// and turns on receive interrupts.
    ///
    /// The FIFOs stay as firmware left them: U-Boot enables them, and rewriting FCR with
    /// FIFOE still set keeps their contents. Turning FIFOE on empties the receive FIFO (QEMU's
    /// model does, and its feed refills the holding register the moment it is read), so
    /// without firmware the UART stays in 16450 mode: one byte at a time, each interrupt
    /// taking it, and QEMU holding the rest back until it is taken.
    public func start() {
        let line = read(Self.lineControl)
        if line & Self.divisorLatchAccess != 0 { write(Self.lineControl, line & ~Self.divisorLatchAccess) }
        write(Self.interruptEnable, 0)
        handleInterrupt()
        // IIR bits 7:6 read 0b11 when the FIFOs are on (PC16550D table 4).
        if read(Self.fifoControl) & 0xc0 == 0xc0 { write(Self.fifoControl, Self.fifoEnable) }
        write(Self.interruptEnable, Self.receiveInterrupts)
        handleInterrupt()
    }

    @inline(__always)
    public func writeByte(_ byte: UInt8) {
        var spins = 0
        // Bounded: a UART that never drains (no clock) must not hang a panic report forever.
        while read(Self.lineStatus) & Self.transmitHoldingEmpty == 0 && spins < 1_000_000 { spins += 1 }
        write(Self.data, UInt32(byte))
    }

    /// The interrupt: clear a DesignWare busy-detect if that is the cause, then drain the
    /// receive FIFO into the ring (bounded by the deepest FIFO, 64 bytes, twice over), which
    /// drops the data-available and timeout interrupts.
    public func handleInterrupt() {
        if read(Self.fifoControl) & 0xf == Self.busyDetect { _ = read(Self.designWareStatus) }
        var count = 0
        while count < 128, read(Self.lineStatus) & Self.dataReady != 0 {
            Self.received.push(UInt8(truncatingIfNeeded: read(Self.data)))
            count += 1
        }
    }
}

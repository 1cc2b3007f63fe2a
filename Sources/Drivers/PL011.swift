/// ARM PrimeCell UART (PL011, ARM DDI 0183G): polled transmit, interrupt-driven receive into a ring.
import ARMBoot
import Capabilities
import Platform

public struct PL011: SerialPort {
    let base: UInt

    // Registers (DDI 0183G §3.2).
    private var data: Register32 { Register32(base + 0x00) }
    private var flags: Register32 { Register32(base + 0x18) }
    private var lineControl: Register32 { Register32(base + 0x2c) }
    private var control: Register32 { Register32(base + 0x30) }
    private var interruptMask: Register32 { Register32(base + 0x38) }
    private var interruptClear: Register32 { Register32(base + 0x44) }

    // Flag register bits (§3.3.3).
    private static let transmitFull: UInt32 = 1 << 5
    private static let receiveEmpty: UInt32 = 1 << 4
    // Control bits (§3.3.8): UARTEN, TXE, RXE.
    private static let enableAll: UInt32 = (1 << 0) | (1 << 8) | (1 << 9)
    // Interrupt mask bits (§3.3.10): receive, receive timeout.
    private static let receiveInterrupts: UInt32 = (1 << 4) | (1 << 6)

    /// Bytes received by the interrupt handler and not yet read.
    nonisolated(unsafe) public static var received = ByteRing()

    public init(base: UInt) {
        self.base = base
    }

    /// Enables the UART and receive interrupts, keeping the line settings and the FIFO mode
    /// firmware chose. Bytes that arrived before this are drained: clearing their interrupt
    /// would otherwise strand them.
    ///
    /// The FIFOs are not switched on here: changing LCR_H.FEN empties them (§3.3.7; QEMU's
    /// model resets its count), so a byte landing between the drain and the switch was lost —
    /// seen once under heavy host load as typed input arriving with a byte missing. Without
    /// firmware (QEMU `-kernel`) the UART therefore stays in character mode: one byte in the
    /// holding register, each interrupt taking it, QEMU holding the rest back until it is read.
    ///
    /// `genericSubset`: the SBSA generic UART (Xen's vpl011, `arm,sbsa-uart`) has no control
    /// register (SBSA Generic UART B.2): it is always enabled, and CR is not touched.
    public func start(genericSubset: Bool = false) {
        if !genericSubset { control.write(control.read() | Self.enableAll) }
        interruptClear.write(0x7ff)
        interruptMask.write(Self.receiveInterrupts)
        handleInterrupt()
    }

    @inline(__always)
    public func writeByte(_ byte: UInt8) {
        while flags.read() & Self.transmitFull != 0 {}
        data.write(UInt32(byte))
    }

    /// The receive interrupt: acknowledge, then drain the FIFO into the ring (a full ring drops
    /// the newest bytes). In that order: a byte that lands after the last read raises the
    /// interrupt again, where clearing after the drain would erase it and strand the FIFO
    /// (QEMU raises RX only as the FIFO goes from empty to one byte).
    public func handleInterrupt() {
        interruptClear.write(Self.receiveInterrupts)
        while flags.read() & Self.receiveEmpty == 0 {
            Self.received.push(UInt8(truncatingIfNeeded: data.read()))
        }
    }
}

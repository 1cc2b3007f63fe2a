/// What the boards' UART consoles share: bytes out one at a time with LF sent as CRLF, bytes in from the ring their receive interrupt fills.
import ARMBoot
import Capabilities

public protocol SerialPort: Console {
    /// Sends one byte, waiting (bounded) for room in the transmitter.
    func writeByte(_ byte: UInt8)
    /// Bytes the receive interrupt took from the FIFO and nobody has read yet.
    static var received: ByteRing { get set }
}

extension SerialPort {
    public mutating func write(_ bytes: UnsafeRawBufferPointer) {
        for byte in bytes {
            if byte == 10 { writeByte(13) }
            writeByte(byte)
        }
    }

    public mutating func read() -> UInt8? {
        // The ring is shared with the interrupt handler: a push landing in the middle of this
        // read-modify-write would be lost, so interrupts wait for it.
        let saved = arm_save_and_disable_interrupts()
        let byte = Self.received.pop()
        arm_restore_interrupts(saved)
        return byte
    }
}

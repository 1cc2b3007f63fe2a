/// The seam between the SD card protocol (portable) and an SD host controller's registers (a driver).
import Capabilities

/// The data phase of a command: whole blocks of `blockSize` bytes.
public enum SDData {
    case none
    case read(UnsafeMutableRawBufferPointer, blockSize: Int)
    case write(UnsafeRawBufferPointer, blockSize: Int)
}

/// What `SDCard` needs from a host controller. A driver (the sun4i SD host, say) implements it
/// over its registers; tests implement it with a simulated card.
///
/// Errors: a command or data phase that gets no answer in time is `BlockError.timeout`; a CRC,
/// start- or end-bit, FIFO or other error the controller flags is `BlockError.deviceError`; a
/// controller state that cannot happen is `BlockError.protocolViolation`. After any error the
/// controller is ready for the next command (it resets its FIFO or state machine as needed).
public protocol SDHostController: AnyObject {
    /// Sends `command` with its argument, waits for the response it expects (and for R1b until
    /// the card stops signalling busy), and for a data command moves `data` block by block. A
    /// command with `stopsAfterTransfer` ends with CMD12 sent by the controller (its auto-stop
    /// or an explicit command) before this returns. Returns the response (zero for none).
    func send(_ command: SDCommand, data: SDData) throws(BlockError) -> SDResponse
    /// Sets the card clock: at most 400 kHz during identification (§4.2), then the transfer
    /// speed. Returns the frequency actually used.
    @discardableResult
    func setClock(hertz: UInt32) throws(BlockError) -> UInt32
    /// Switches the host side of the data bus between one and four lines (after ACMD6).
    func setBusWidth(fourBits: Bool) throws(BlockError)
    /// Whether the controller and the board wire four data lines.
    var supportsFourBitBus: Bool { get }
}

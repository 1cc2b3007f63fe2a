/// The Allwinner sun4i SD/MMC host (`allwinner,sun4i-a10-mmc`) with the SD card in its slot, as a `BlockDevice`.
import Capabilities
import Platform
import Storage

/// An SD card in the A10's first slot: `SDCard` (the card protocol: identification, SDSC
/// byte and SDHC/SDXC block addressing, CMD17/18/24/25 with CMD12) over
/// `SunxiMMCController` (the registers, PIO through the FIFO, polled with deadlines).
///
/// Flush: SD cards have no volatile write cache unless the host turns one on (CMD49, never
/// sent here), so a completed write is on the card; `flush()` waits until the card has
/// finished programming (CMD13) and returns.
public final class SunxiMMC: BlockDevice {
    public let controller: SunxiMMCController
    public let card: SDCard<SunxiMMCController>

    public var sectorSize: Int { card.sectorSize }
    public var sectorCount: UInt64 { card.sectorCount }
    public var isReadOnly: Bool { card.isReadOnly }
    /// SDHC or SDXC (block addressing) rather than SDSC.
    public var isHighCapacity: Bool { card.isHighCapacity }
    /// 1 or 4 data lines.
    public var busWidth: Int { card.busWidth }
    /// The card clock in use.
    public var clockHertz: UInt32 { controller.cardClockHertz }

    private init(controller: SunxiMMCController, card: SDCard<SunxiMMCController>) {
        self.controller = controller
        self.card = card
    }

    /// Resets the controller at `base` (the DTB node's `reg`; 0x01c0f000 for the A10's mmc0)
    /// and identifies the card in its slot. nil when the slot is empty or the card cannot be
    /// used (no answer, a malformed register, an SDUC card); `failure` says why.
    ///
    /// `clockNanoseconds` is any monotonic nanosecond clock (every wait has a deadline on it).
    /// `clockControllerBase` is the A10 CCU (`allwinner,sun4i-a10-ccu`, 0x01c20000): pass it on
    /// hardware so the module clock runs from the 24 MHz oscillator; without it the driver
    /// assumes firmware left that clock at 24 MHz (QEMU does not model the CCU at all).
    /// `fourBitBus`: the board wires DAT1–3 (the Cubieboard's microSD slot does; DTB
    /// `bus-width = <4>`).
    public static func start(base: UInt, clockNanoseconds: @escaping () -> UInt64, clockControllerBase: UInt? = nil,
                             fourBitBus: Bool = true, transferHertz: UInt32 = 24_000_000) -> SunxiMMC? {
        var failure: BlockError?
        return start(base: base, clockNanoseconds: clockNanoseconds, clockControllerBase: clockControllerBase,
                     fourBitBus: fourBitBus, transferHertz: transferHertz, failure: &failure)
    }

    /// `start`, telling why it returned nil.
    public static func start(base: UInt, clockNanoseconds: @escaping () -> UInt64, clockControllerBase: UInt?,
                             fourBitBus: Bool, transferHertz: UInt32, failure: inout BlockError?) -> SunxiMMC? {
        let controller = SunxiMMCController(base: base, clockControllerBase: clockControllerBase,
                                            supportsFourBitBus: fourBitBus, now: clockNanoseconds)
        do throws(BlockError) {
            try controller.reset()
            let card = try SDCard.identify(host: controller, clock: clockNanoseconds, transferHertz: transferHertz)
            return SunxiMMC(controller: controller, card: card)
        } catch {
            failure = error
            return nil
        }
    }

    public func read(sector: UInt64, into buffer: UnsafeMutableRawBufferPointer) throws(BlockError) {
        try card.read(sector: sector, into: buffer)
    }

    public func write(sector: UInt64, from buffer: UnsafeRawBufferPointer) throws(BlockError) {
        try card.write(sector: sector, from: buffer)
    }

    public func flush() throws(BlockError) {
        try card.flush()
    }
}

/// The interrupt handler every virtio-mmio device shares: acknowledge the causes so the line drops; the event loop then polls the rings.
import Platform

public enum VirtioInterrupts {
    public static let capacity = 8
    nonisolated(unsafe) private static var numbers = UnsafeMutablePointer<InterruptNumber>.allocate(capacity: capacity)
    nonisolated(unsafe) private static var transports = UnsafeMutablePointer<VirtioMMIO>.allocate(capacity: capacity)
    nonisolated(unsafe) private static var count = 0
    /// Interrupts taken, for diagnostics.
    nonisolated(unsafe) public private(set) static var taken = 0

    /// Routes `interrupt` to `transport`'s InterruptStatus/InterruptACK. Returns false when the
    /// table is full. The caller registers `handler` with the board's dispatcher and enables it.
    @discardableResult
    public static func register(_ transport: VirtioMMIO, interrupt: InterruptNumber) -> Bool {
        guard count < capacity else { return false }
        numbers[count] = interrupt
        (transports + count).initialize(to: transport)
        count += 1
        return true
    }

    /// The handler: no ring work happens here (the loop's poll does it after `wfi` returns),
    /// only the acknowledgement the device needs before it can interrupt again (§4.2.3.4).
    public static let handler: InterruptHandlers.Handler = { interrupt in
        taken &+= 1
        var index = 0
        while index < count {
            if numbers[index] == interrupt { transports[index].acknowledgeInterrupt() }
            index += 1
        }
    }
}

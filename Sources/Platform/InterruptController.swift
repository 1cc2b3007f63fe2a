/// The seam between the IRQ vector and a board's interrupt controller (GICv2 on qemu-virt, the A10's own on the Cubieboard).

/// An interrupt number as the controller numbers it.
public typealias InterruptNumber = UInt32

/// What the IRQ vector calls: acknowledge, run the handler, finish.
public protocol InterruptController {
    mutating func enable(_ interrupt: InterruptNumber)
    mutating func disable(_ interrupt: InterruptNumber)
    /// The highest-priority pending interrupt, acknowledged; nil when spurious.
    mutating func acknowledge() -> InterruptNumber?
    mutating func endOfInterrupt(_ interrupt: InterruptNumber)
}

/// Handlers registered by drivers, indexed by interrupt number. Run with IRQs masked, in
/// supervisor mode on the interrupted stack (vectors.S).
public enum InterruptHandlers {
    public typealias Handler = @convention(c) (InterruptNumber) -> Void
    public static let capacity = 256
    nonisolated(unsafe) private static var table = UnsafeMutablePointer<Handler?>.allocate(capacity: capacity)
    nonisolated(unsafe) private static var prepared = false
    /// Set by every interrupt; the event loop clears it before sleeping (see `Idle`).
    nonisolated(unsafe) public static var somethingHappened = false

    public static func register(_ interrupt: InterruptNumber, _ handler: Handler) {
        if !prepared {
            table.initialize(repeating: nil, count: capacity)
            prepared = true
        }
        if Int(interrupt) < capacity { table[Int(interrupt)] = handler }
    }

    /// Runs the handler for `interrupt`; an unregistered one is reported once by returning false.
    public static func dispatch(_ interrupt: InterruptNumber) -> Bool {
        somethingHappened = true
        guard prepared, Int(interrupt) < capacity, let handler = table[Int(interrupt)] else { return false }
        handler(interrupt)
        return true
    }
}

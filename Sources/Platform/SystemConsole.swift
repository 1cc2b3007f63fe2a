/// The console every layer can reach without a reference: panics, `print`, early diagnostics.
import ARMBoot
import Capabilities

/// The board installs these once its console and power controller are up.
public enum SystemHooks {
    /// Writes one byte to the board's console (polled, safe with interrupts masked).
    nonisolated(unsafe) public static var writeByte: (@convention(c) (UInt8) -> Void)? = nil
    /// Turns the machine off; the status only reaches the outside through the marker line.
    nonisolated(unsafe) public static var powerOff: (@convention(c) () -> Void)? = nil
    /// The status `halt` was called with, for a `powerOff` that can pass it on (a Xen domain's shutdown reason).
    nonisolated(unsafe) public static var haltStatus = 0
}

/// A `Console` over `SystemHooks.writeByte`; reads nothing.
public struct SystemConsole: Console {
    public init() {}

    public mutating func write(_ bytes: UnsafeRawBufferPointer) {
        guard let writeByte = SystemHooks.writeByte else { return }
        for byte in bytes { writeByte(byte) }
    }

    public mutating func read() -> UInt8? { nil }
}

@_cdecl("seal_console_write_byte")
public func sealConsoleWriteByte(_ byte: UInt8) {
    SystemHooks.writeByte?(byte)
}

/// Ends the run: prints the marker line test harnesses read the exit status from
/// (`seal: halted status=<n>`), then powers off. Halts with `wfi` if power-off fails.
public func halt(status: Int) -> Never {
    var console = SystemConsole()
    console.write("seal: halted status=")
    console.write(decimal: status)
    console.write(byte: 10)
    SystemHooks.haltStatus = status
    SystemHooks.powerOff?()
    while true { arm_wait_for_interrupt() }
}

/// The board's IRQ entry: acknowledges at its controller and dispatches (installed at start).
public enum InterruptEntry {
    nonisolated(unsafe) public static var handler: (@convention(c) () -> Void)? = nil
}

@_cdecl("seal_irq")
public func sealInterruptRequest() {
    InterruptHandlers.somethingHappened = true
    InterruptEntry.handler?()
}

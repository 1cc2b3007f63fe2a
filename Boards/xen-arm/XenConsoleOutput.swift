/// The PV console (io/console.h) as a second copy of the console output, once the toolstack's console page is known.
import Xen

/// Bytes go into the ring one by one and xenconsoled is notified at each line's end (and when the
/// ring fills). A full ring drops bytes rather than wait: the console is written from interrupt
/// and panic paths too. The vpl011 keeps the earliest lines and those of a guest without this page.
enum XenConsoleOutput {
    nonisolated(unsafe) static var ring: XenConsoleRing? = nil
    nonisolated(unsafe) static var port: UInt32 = 0
    /// Bytes dropped because the ring was full or broken.
    nonisolated(unsafe) static var dropped = 0

    static func write(_ byte: UInt8) {
        guard let ring else { return }
        var value = byte
        let written = withUnsafeBytes(of: &value) { (try? ring.write($0)) ?? 0 }
        if written == 0 {
            dropped &+= 1
            Hypercall.send(port: port)
        } else if byte == 10 {
            Hypercall.send(port: port)
        }
    }

    /// Starts copying output to the console page the toolstack gave (HVM_PARAM_CONSOLE_PFN); a
    /// dom0less guest has none.
    static func start(_ domain: XenDomain) {
        guard let interface = domain.pages.consolePage else { return }
        // Output only: xenconsoled's notifications need no handler, but a bound port is not counted as unbound.
        try? domain.bind(port: domain.pages.consolePort) { _ in }
        port = domain.pages.consolePort
        ring = XenConsoleRing(interface: interface)
    }
}

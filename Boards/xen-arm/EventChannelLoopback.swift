/// A self-test of the event path at boot: a channel from this domain to itself (EVTCHNOP_alloc_unbound for DOMID_SELF, then bind_interdomain), one send, the upcall, the handler.
import Capabilities
import Platform
import Xen
import XenABI

enum EventChannelLoopback {
    nonisolated(unsafe) static var received: UInt32? = nil

    /// Prints `evtchn: loopback ok` when the event comes back through the upcall within a second,
    /// or why not.
    static func run(_ domain: XenDomain, console: inout SystemConsole) {
        let listening: UInt32
        let sending: UInt32
        do {
            listening = try Hypercall.allocateUnbound(remote: seal_xen_domain_self())
            sending = try Hypercall.bindInterdomain(remote: seal_xen_domain_self(), remotePort: listening)
            try domain.bind(port: listening) { port in received = port }
        } catch {
            console.writeLine("evtchn: loopback failed to bind")
            return
        }
        Hypercall.send(port: sending)
        let deadline = domain.nanoseconds &+ 1_000_000_000
        // Bounded: each wait ends by the deadline at the latest.
        while received == nil && domain.nanoseconds < deadline {
            domain.wait(until: deadline)
        }
        if received == listening {
            console.write("evtchn: loopback ok (port ")
            console.write(decimal: Int(sending))
            console.write(" -> ")
            console.write(decimal: Int(listening))
            console.writeLine(")")
        } else {
            console.writeLine("evtchn: loopback failed: no upcall")
        }
    }
}

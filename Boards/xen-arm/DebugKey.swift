/// VIRQ_DEBUG (xen.h): Xen's `q` debug key asks every guest vCPU to report; the board binds it and answers with a line.
import Capabilities
import Platform
import Xen
import XenABI

enum DebugKey {
    /// Binds VIRQ_DEBUG on vCPU 0 (EVTCHNOP_bind_virq). The handler runs from the event loop.
    static func bind(_ domain: XenDomain, console: inout SystemConsole) {
        do {
            let port = try Hypercall.bindVirtualInterrupt(UInt32(VIRQ_DEBUG))
            try domain.bind(port: port) { port in
                var console = SystemConsole()
                console.write("xen: debug key (VIRQ_DEBUG on port ")
                console.write(decimal: Int(port))
                console.write("), events on unbound ports so far: ")
                console.write(decimal: Int(domain.events.unboundEvents))
                console.write(byte: 10)
            }
        } catch {
            console.writeLine("xen: VIRQ_DEBUG not bound")
        }
    }
}

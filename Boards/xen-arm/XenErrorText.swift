/// Short console text for a XenError, so the board's log says why a device did not start.
import Capabilities
import Xen

enum XenErrorText {
    static func write<Output: Console>(_ error: XenError, to console: inout Output) {
        switch error {
        case .deviceMissing: console.write("no such device in xenstore")
        case .handshakeTimeout: console.write("the backend did not answer in time")
        case .backendClosed: console.write("the backend closed")
        case .malformedStoreValue: console.write("a malformed xenstore value")
        case .xenStore: console.write("a xenstore error")
        case .hypercallFailed(let code):
            console.write("hypercall failed with errno ")
            console.write(decimal: -Int(code))
        case .grantTableFull: console.write("grant table full")
        case .outOfMemory: console.write("out of memory")
        default: console.write("failed (backend protocol or ring error)")
        }
    }
}

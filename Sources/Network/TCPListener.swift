/// TCP listeners and connection handles: passive opens, the bounded SYN backlog, accept.

/// A handle to a listening port.
public struct TCPListener: Hashable, Sendable {
    let index: Int
    let generation: UInt32
}

/// A handle to one connection; stale once closed and its slot reused.
public struct TCPConnectionHandle: Hashable, Sendable {
    let index: Int
    let generation: UInt32
}

struct TCPListenerSlot {
    var port: UInt16 = 0
    var generation: UInt32 = 0
}

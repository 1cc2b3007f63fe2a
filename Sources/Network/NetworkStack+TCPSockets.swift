/// The TCP socket API: listen, accept, connect, send, receive, close, abort, state.

import Capabilities

extension NetworkStack {
    /// Listens on `port` (nonzero); SYNs to it open connections that `accept` hands out.
    public mutating func listen(port: UInt16) throws(SocketError) -> TCPListener {
        guard port != 0 else { throw .invalidArgument }
        if listeners.contains(where: { $0.port == port }) { throw .portInUse }
        guard let index = listeners.firstIndex(where: { $0.port == 0 }) else { throw .noFreeSlot }
        listeners[index].port = port
        listeners[index].generation &+= 1
        return TCPListener(index: index, generation: listeners[index].generation)
    }

    /// Stops listening; connections not yet accepted are reset.
    public mutating func close(_ listener: TCPListener) {
        guard listener.index < listeners.count, listeners[listener.index].generation == listener.generation else { return }
        listeners[listener.index].port = 0
        listeners[listener.index].generation &+= 1
        for index in connections.indices where connections[index].inUse && connections[index].listener == listener.index
            && !connections[index].accepted {
            abortConnection(index)
        }
    }

    /// The oldest connection on `listener` that finished its handshake, or nil.
    public mutating func accept(_ listener: TCPListener) -> TCPConnectionHandle? {
        guard let index = pendingConnection(listener) else { return nil }
        connections[index].accepted = true
        connections[index].listener = nil
        return TCPConnectionHandle(index: index, generation: connections[index].generation)
    }

    /// Whether `accept` would return a connection now.
    public func hasPendingConnection(_ listener: TCPListener) -> Bool {
        pendingConnection(listener) != nil
    }

    /// The oldest connection on `listener` that finished its handshake and was not accepted.
    func pendingConnection(_ listener: TCPListener) -> Int? {
        guard listener.index < listeners.count, listeners[listener.index].generation == listener.generation else { return nil }
        var chosen: Int? = nil
        for index in connections.indices {
            let connection = connections[index]
            guard connection.inUse, connection.listener == listener.index, !connection.accepted,
                  connection.state != .synReceived, connection.state != .closed else { continue }
            if chosen == nil || connection.order < connections[chosen!].order { chosen = index }
        }
        return chosen
    }

    /// Starts an active open to `remote` from an ephemeral port (RFC 6056 3.3.1's random choice).
    public mutating func connect(to remote: IPv4Endpoint) throws(SocketError) -> TCPConnectionHandle {
        guard link.isConfigured else { throw .notConfigured }
        guard remote.port != 0, !remote.address.isUnspecified, !remote.address.isBroadcast else { throw .invalidArgument }
        guard let slot = freeConnectionSlot() else { throw .noFreeSlot }
        var port: UInt16 = 0
        for _ in 0..<32 {
            let candidate = UInt16(49152 + entropy.next(below: 16384))
            let local = IPv4Endpoint(address: link.address, port: candidate)
            if !connections.contains(where: { $0.inUse && $0.local == local && $0.remote == remote })
                && !listeners.contains(where: { $0.port == candidate }) {
                port = candidate
                break
            }
        }
        guard port != 0 else { throw .noFreeSlot }
        let local = IPv4Endpoint(address: link.address, port: port)
        connectionOrder &+= 1
        connections[slot].reset(local: local, remote: remote, initialSequence: initialSequence(local: local, remote: remote),
                                ourMSS: ourMSS, limits: limits, order: connectionOrder)
        connections[slot].accepted = true
        connections[slot].state = .synSent
        dispatch(slot)
        return TCPConnectionHandle(index: slot, generation: connections[slot].generation)
    }

    func slot(of handle: TCPConnectionHandle) -> Int? {
        guard handle.index < connections.count else { return nil }
        let connection = connections[handle.index]
        guard connection.inUse, connection.generation == handle.generation, !connection.released else { return nil }
        return handle.index
    }

    /// The connection's state; `.closed` for a stale handle.
    public func state(of handle: TCPConnectionHandle) -> TCPState {
        guard let index = slot(of: handle) else { return .closed }
        return connections[index].state
    }

    /// Why the connection ended abnormally, if it did.
    public func error(of handle: TCPConnectionHandle) -> TCPError? {
        guard let index = slot(of: handle) else { return nil }
        return connections[index].error
    }

    /// Bytes waiting to be read.
    public func readableCount(_ handle: TCPConnectionHandle) -> Int {
        guard let index = slot(of: handle) else { return 0 }
        return connections[index].receiveBuffer.count
    }

    /// Bytes `send` would accept now.
    public func writableCount(_ handle: TCPConnectionHandle) -> Int {
        guard let index = slot(of: handle) else { return 0 }
        let connection = connections[index]
        switch connection.state {
        case .synSent, .synReceived, .established, .closeWait:
            return connection.closeRequested ? 0 : connection.sendBuffer.free
        default:
            return 0
        }
    }

    /// Whether the peer finished sending (its FIN arrived) and every byte was read, or the
    /// connection is gone: the end-of-stream condition.
    public func hasReceivedEnd(_ handle: TCPConnectionHandle) -> Bool {
        guard let index = slot(of: handle) else { return true }
        let connection = connections[index]
        return connection.receiveBuffer.isEmpty && (connection.receivedFin || connection.state == .closed)
    }

    /// Copies and consumes received bytes; returns how many (0 when none are waiting).
    public mutating func receive(into buffer: UnsafeMutableRawBufferPointer, from handle: TCPConnectionHandle) -> Int {
        guard let index = slot(of: handle) else { return 0 }
        let before = connections[index].receiveWindow
        let count = connections[index].receiveBuffer.read(into: buffer)
        guard count > 0 else { return 0 }
        // RFC 9293 3.8.6.2.2: announce a larger window once it grew by min(buffer / 2, MSS).
        let connection = connections[index]
        let grown = connection.receiveWindow - Int(connection.advertisedWindow)
        let threshold = min(connection.receiveBuffer.capacity / 2, connection.sendMSS)
        if connection.state.isSynchronized && grown >= threshold && before < connection.receiveWindow {
            connections[index].ackNow = true
            dispatch(index)
        }
        return count
    }

    /// Queues bytes for sending and sends what the windows allow; returns how many were
    /// queued (fewer than given when the send buffer is full).
    public mutating func send(_ bytes: UnsafeRawBufferPointer, on handle: TCPConnectionHandle) throws(SocketError) -> Int {
        let index = try sendingSlot(handle)
        let count = connections[index].sendBuffer.append(bytes)
        if connections[index].state.isSynchronized { dispatch(index) }
        return count
    }

    /// The slot of a connection that may still queue data: open, not closed by us.
    func sendingSlot(_ handle: TCPConnectionHandle) throws(SocketError) -> Int {
        guard let index = slot(of: handle) else { throw .invalidHandle }
        switch connections[index].state {
        case .synSent, .synReceived, .established, .closeWait:
            break
        default:
            throw .notConnected
        }
        guard !connections[index].closeRequested else { throw .notConnected }
        return index
    }

    /// Like `send`, but `produce` writes the bytes straight into the send buffer's free space
    /// (called with up to two pieces, a short write ending it), saving a copy for generated
    /// content. Returns the bytes queued, or nil when `produce` failed (what it wrote before
    /// is queued).
    public mutating func send(on handle: TCPConnectionHandle,
                              producing produce: (UnsafeMutableRawBufferPointer) -> Int?) throws(SocketError) -> Int? {
        let index = try sendingSlot(handle)
        let count = connections[index].sendBuffer.appendInPlace(produce)
        if connections[index].state.isSynchronized { dispatch(index) }
        return count
    }

    /// Closes gracefully (RFC 9293 3.10.4): queued bytes go out, then FIN. The handle is
    /// invalid afterwards; the stack finishes the exchange and frees the slot.
    public mutating func close(_ handle: TCPConnectionHandle) {
        guard let index = slot(of: handle) else { return }
        connections[index].released = true
        switch connections[index].state {
        case .synSent:
            connections[index].enterClosed()
        case .synReceived, .established:
            connections[index].closeRequested = true
            connections[index].state = .finWait1
        case .closeWait:
            connections[index].closeRequested = true
            connections[index].state = .lastAck
        default:
            break
        }
        // Data arriving after close has no reader: give the window away (RFC 9293 3.10.4).
        connections[index].receiveBuffer.removeAll()
        dispatch(index)
        releaseIfDone(index)
    }

    /// Aborts with RST (RFC 9293 3.10.5); the handle is invalid afterwards.
    public mutating func abort(_ handle: TCPConnectionHandle) {
        guard let index = slot(of: handle) else { return }
        connections[index].released = true
        abortConnection(index)
    }

    mutating func abortConnection(_ index: Int) {
        let connection = connections[index]
        switch connection.state {
        case .synReceived, .established, .finWait1, .finWait2, .closeWait:
            sendReset(from: connection.local, to: connection.remote, sequence: connection.sendNext, acknowledgment: nil)
        default:
            break
        }
        connections[index].enterClosed()
        connections[index].accepted = connections[index].released || connections[index].accepted
        releaseIfDone(index)
    }
}

/// The echo server: owns the stack and its sockets; the event loop calls `poll(now:)` and sleeps until the returned deadline.
import Capabilities
import Network

final class EchoServer<Interface: NetworkInterface, Random: Entropy, Output: Console> {
    static var echoPort: UInt16 { 7 }
    static var discardPort: UInt16 { 9 }

    private var stack: NetworkStack<Interface, Random>
    private var console: Output
    private let echoListener: TCPListener
    private let discardListener: TCPListener
    private let udpEcho: UDPSocket
    private var echoes: [EchoConnection] = []
    private var discards: [TCPConnectionHandle] = []
    /// Where received bytes pass through: one TCP chunk, or one whole UDP datagram.
    private let scratch: UnsafeMutableRawBufferPointer
    private var addressAnnouncer = AddressAnnouncer()

    init(interface: Interface, entropy: Random, configuration: NetworkConfiguration, limits: NetworkLimits,
         console: Output, now: Instant) throws(SocketError) {
        var stack = NetworkStack(interface: interface, entropy: entropy, configuration: configuration,
                                 limits: limits, now: now)
        echoListener = try stack.listen(port: Self.echoPort)
        discardListener = try stack.listen(port: Self.discardPort)
        udpEcho = try stack.bindUDP(port: Self.echoPort)
        self.stack = stack
        self.console = console
        scratch = .allocate(byteCount: max(EchoConnection.pendingLimit, 14 + stack.interface.maximumTransmissionUnit),
                            alignment: 8)
    }

    deinit { scratch.deallocate() }

    /// One pass: frames and timers in, then every socket served. Returns when to run again.
    func poll(now: Instant) -> Instant? {
        stack.poll(now: now)
        addressAnnouncer.update(from: stack, to: &console)
        while let connection = stack.accept(echoListener) { echoes.append(EchoConnection(handle: connection)) }
        while let connection = stack.accept(discardListener) { discards.append(connection) }
        var index = 0
        while index < echoes.count {
            if serveEcho(&echoes[index]) { index += 1 } else { echoes.remove(at: index) }
        }
        index = 0
        while index < discards.count {
            if serveDiscard(discards[index]) { index += 1 } else { discards.remove(at: index) }
        }
        serveUDPEcho()
        return stack.nextDeadline
    }

    /// Echoes what arrived; false once the connection is finished and released.
    private func serveEcho(_ connection: inout EchoConnection) -> Bool {
        let handle = connection.handle
        if stack.state(of: handle) == .closed {
            stack.close(handle)
            return false
        }
        guard flush(&connection.pending, on: handle) else { return false }
        // Receive only what `send` will take now: the peer's data waits in our receive
        // window (closing it) rather than in a buffer of ours.
        while connection.pending.isEmpty {
            let room = min(EchoConnection.pendingLimit, stack.writableCount(handle))
            guard room > 0 else { break }
            let count = stack.receive(into: UnsafeMutableRawBufferPointer(rebasing: scratch[0..<room]), from: handle)
            guard count > 0 else { break }
            let chunk = UnsafeRawBufferPointer(rebasing: scratch[0..<count])
            let sent: Int
            do {
                sent = try stack.send(chunk, on: handle)
            } catch {
                stack.abort(handle)
                return false
            }
            if sent < count { connection.pending.append(contentsOf: chunk[sent...]) }
        }
        if connection.pending.isEmpty && stack.hasReceivedEnd(handle) {
            stack.close(handle)  // graceful: what is queued goes out, then FIN
            return false
        }
        return true
    }

    /// Offers `pending` to `send` and drops what it took; false (after an abort) when the connection is gone.
    private func flush(_ pending: inout [UInt8], on handle: TCPConnectionHandle) -> Bool {
        guard !pending.isEmpty else { return true }
        guard let sent = pending.withUnsafeBytes({ bytes in try? stack.send(bytes, on: handle) }) else {
            stack.abort(handle)
            return false
        }
        pending.removeFirst(sent)
        return true
    }

    /// Reads and drops what arrived; false once the connection is finished and released.
    private func serveDiscard(_ handle: TCPConnectionHandle) -> Bool {
        while stack.receive(into: scratch, from: handle) > 0 {}
        if stack.hasReceivedEnd(handle) || stack.state(of: handle) == .closed {
            stack.close(handle)
            return false
        }
        return true
    }

    /// Sends every queued datagram back to where it came from. A datagram that cannot go out
    /// now (the peer's MAC not yet resolved, the device full) is dropped, as UDP allows.
    private func serveUDPEcho() {
        while let received = stack.receive(into: scratch, from: udpEcho) {
            guard !received.truncated else { continue }
            try? stack.send(UnsafeRawBufferPointer(rebasing: scratch[0..<received.length]), to: received.source, from: udpEcho)
        }
    }
}

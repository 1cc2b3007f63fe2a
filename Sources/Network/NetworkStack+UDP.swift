/// UDP input demultiplexing and the UDP endpoint API: bind, send, receive, close.

import Capabilities

extension NetworkStack {
    mutating func handleUDP(_ header: IPv4Header, payload: UnsafeRawBufferPointer) {
        let datagram = UDPDatagram(unchecked: payload)
        let udp: UDPHeader
        do {
            udp = try UDPHeader(parsing: datagram, source: header.source, destination: header.destination)
        } catch {
            if error == .badChecksum { link.counters.udpChecksumErrors &+= 1 } else { link.counters.udpMalformed &+= 1 }
            return
        }
        link.counters.udpReceived &+= 1
        let body = datagram.payload
        if udp.destinationPort == DHCPClient.clientPort && udp.sourcePort == DHCPClient.serverPort {
            handleDHCP(body, from: header.source)
            return
        }
        guard link.isConfigured else { return }
        let source = IPv4Endpoint(address: header.source, port: udp.sourcePort)
        if udp.sourcePort == DNSResolver.serverPort && dns.handleResponse(body, from: source, toPort: udp.destinationPort,
                                                                          counters: &link.counters) {
            return
        }
        guard let index = udpSockets.firstIndex(where: { $0.port != 0 && $0.port == udp.destinationPort }) else {
            link.counters.udpNoPort &+= 1
            if !header.destination.isBroadcast && header.destination == link.address {
                sendPortUnreachable(header, payload: payload)
            }
            return
        }
        if !udpSockets[index].enqueue(body, from: source) { link.counters.udpQueueDrops &+= 1 }
    }

    /// Binds a UDP endpoint to `port` (nonzero).
    public mutating func bindUDP(port: UInt16) throws(SocketError) -> UDPSocket {
        guard port != 0 else { throw .invalidArgument }
        if port == DHCPClient.clientPort || udpSockets.contains(where: { $0.port == port }) { throw .portInUse }
        guard let index = udpSockets.firstIndex(where: { $0.port == 0 }) else { throw .noFreeSlot }
        udpSockets[index].port = port
        udpSockets[index].generation &+= 1
        udpSockets[index].queue.removeAll()
        return UDPSocket(index: index, generation: udpSockets[index].generation)
    }

    /// Unbinds; queued datagrams are dropped and the handle becomes invalid.
    public mutating func close(_ socket: UDPSocket) {
        guard isValid(socket) else { return }
        udpSockets[socket.index].port = 0
        udpSockets[socket.index].generation &+= 1
    }

    func isValid(_ socket: UDPSocket) -> Bool {
        socket.index < udpSockets.count && udpSockets[socket.index].generation == socket.generation
            && udpSockets[socket.index].port != 0
    }

    /// Copies the oldest queued datagram into `buffer`; nil when none is waiting.
    public mutating func receive(into buffer: UnsafeMutableRawBufferPointer, from socket: UDPSocket) -> UDPReceived? {
        guard isValid(socket) else { return nil }
        return udpSockets[socket.index].dequeue(into: buffer)
    }

    /// Sends one datagram from `socket`'s port to `destination`.
    public mutating func send(_ bytes: UnsafeRawBufferPointer, to destination: IPv4Endpoint,
                              from socket: UDPSocket) throws(SocketError) {
        guard isValid(socket) else { throw .invalidHandle }
        try sendUDP(bytes, from: udpSockets[socket.index].port, to: destination)
    }

    mutating func sendUDP(_ bytes: UnsafeRawBufferPointer, from port: UInt16, to destination: IPv4Endpoint,
                          allowUnconfigured: Bool = false) throws(SocketError) {
        try sendUDP(length: bytes.count, from: port, to: destination, allowUnconfigured: allowUnconfigured) { buffer in
            buffer.copy(bytes, at: 0)
        }
    }

    /// Sends a datagram whose `length`-byte payload `fill` writes in place.
    mutating func sendUDP(length payloadLength: Int, from port: UInt16, to destination: IPv4Endpoint,
                          allowUnconfigured: Bool = false,
                          _ fill: (UnsafeMutableRawBufferPointer) -> Void) throws(SocketError) {
        guard link.isConfigured || allowUnconfigured else { throw .notConfigured }
        let length = UDPDatagram.headerLength + payloadLength
        guard IPv4Packet.minimumHeaderLength + length <= link.maximumTransmissionUnit else { throw .tooLarge }
        let header = UDPHeader(sourcePort: port, destinationPort: destination.port, payloadLength: payloadLength)
        let source = link.address
        let sent = link.sendIPv4(to: destination.address, protocolNumber: IPProtocol.udp, payloadLength: length) { buffer in
            fill(buffer.slice(UDPDatagram.headerLength..<length))
            header.emit(into: buffer, source: source, destination: destination.address)
        }
        guard sent else { throw .wouldBlock }
        link.counters.udpSent &+= 1
    }
}

/// SYN cookies (RFC 4987 3.6): with the backlog full, the SYN-ACK's sequence number carries
/// the handshake state, so a SYN flood cannot stop a real client from connecting.
///
/// Cookie layout: 6 bits of a 64-second counter, 2 bits of MSS index, 24 bits of SipHash
/// over the 4-tuple, the counter and the client's ISN. Cookie connections start without
/// window scaling, which the SYN-ACK could not agree (RFC 7323 1.3).

import Capabilities
import Digest

extension NetworkStack {
    static var cookieMSSTable: (Int, Int, Int, Int) { (536, 1300, 1440, 1460) }

    private func cookieMSS(_ index: UInt32) -> Int {
        let table = Self.cookieMSSTable
        switch index & 3 {
        case 0: return table.0
        case 1: return table.1
        case 2: return table.2
        default: return table.3
        }
    }

    private var cookieCounter: UInt32 { UInt32(truncatingIfNeeded: now.nanoseconds / 64_000_000_000) }

    private func cookieHash(local: IPv4Endpoint, remote: IPv4Endpoint, counter: UInt32, peerSequence: SequenceNumber) -> UInt32 {
        let addresses = UInt64(local.address.rawValue) << 32 | UInt64(remote.address.rawValue)
        let mixed = UInt64(local.port) << 48 | UInt64(remote.port) << 32 | UInt64(peerSequence.rawValue)
        // The counter goes in the key half the ISN hash does not use, so the two never collide.
        return UInt32(truncatingIfNeeded: isnHash.hash(addresses ^ UInt64(counter & 63) << 58, ~mixed)) & 0xFF_FFFF
    }

    /// Answers a SYN with a cookie SYN-ACK and keeps no state.
    mutating func sendSynCookie(_ header: TCPHeader, local: IPv4Endpoint, remote: IPv4Endpoint) {
        let peerMSS = Int(header.maximumSegmentSize ?? 536)
        var index: UInt32 = 0
        for candidate in UInt32(1)...3 where cookieMSS(candidate) <= min(peerMSS, ourMSS) { index = candidate }
        let counter = cookieCounter
        let cookie = (counter & 63) << 26 | index << 24
            | cookieHash(local: local, remote: remote, counter: counter, peerSequence: header.sequenceNumber)
        let reply = TCPHeader(sourcePort: local.port, destinationPort: remote.port, sequenceNumber: SequenceNumber(cookie),
                              acknowledgmentNumber: header.sequenceNumber + 1, flags: [.syn, .ack],
                              window: UInt16(min(limits.tcpReceiveBufferSize, 0xFFFF)),
                              maximumSegmentSize: UInt16(truncatingIfNeeded: ourMSS))
        if link.sendIPv4(to: remote.address, protocolNumber: IPProtocol.tcp, payloadLength: reply.bufferLength, { buffer in
            reply.emit(into: buffer, source: local.address, destination: remote.address)
        }) {
            link.counters.tcpSynCookiesSent &+= 1
        }
    }

    /// An ACK for no connection on a listening port: if it returns a valid cookie, creates the
    /// connection directly in ESTABLISHED and returns its slot.
    mutating func acceptSynCookie(_ header: TCPHeader, local: IPv4Endpoint, remote: IPv4Endpoint, listener: Int) -> Int? {
        guard header.flags.contains(.ack), !header.flags.contains(.syn), !header.flags.contains(.rst) else { return nil }
        let cookie = (header.acknowledgmentNumber - 1).rawValue
        let peerSequence = header.sequenceNumber - 1
        let current = cookieCounter
        let counterBits = cookie >> 26
        // Valid for the current and the previous 64-second period.
        guard counterBits == current & 63 || counterBits == (current &- 1) & 63 else { return nil }
        let counter = counterBits == current & 63 ? current : current &- 1
        guard cookie & 0xFF_FFFF == cookieHash(local: local, remote: remote, counter: counter,
                                                 peerSequence: peerSequence) else { return nil }
        guard let slot = freeConnectionSlot() else {
            link.counters.tcpNoSlot &+= 1
            return nil
        }
        link.counters.tcpSynCookiesAccepted &+= 1
        link.counters.tcpConnectionsEstablished &+= 1
        connectionOrder &+= 1
        let initial = SequenceNumber(cookie)
        connections[slot].reset(local: local, remote: remote, initialSequence: initial, ourMSS: ourMSS, limits: limits,
                                order: connectionOrder)
        connections[slot].listener = listener
        connections[slot].state = .established
        connections[slot].sendUnacknowledged = initial + 1
        connections[slot].sendNext = initial + 1
        connections[slot].sendMaximum = initial + 1
        connections[slot].initialReceiveSequence = peerSequence
        connections[slot].receiveNext = header.sequenceNumber
        connections[slot].sendMSS = min(cookieMSS(cookie >> 24), ourMSS)
        connections[slot].sendScale = 0
        connections[slot].receiveScale = 0
        connections[slot].sendWindow = UInt32(header.window)
        connections[slot].maximumSendWindow = UInt32(header.window)
        connections[slot].windowUpdateSequence = header.sequenceNumber
        connections[slot].windowUpdateAcknowledgment = header.acknowledgmentNumber
        connections[slot].startCongestionControl()
        return slot
    }
}

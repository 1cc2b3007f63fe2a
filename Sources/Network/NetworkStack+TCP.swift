/// TCP input demultiplexing, passive open with a bounded backlog, segment emission and the
/// per-poll timer pass.

import Capabilities
import Digest

extension NetworkStack {
    var ourMSS: Int { link.maximumTransmissionUnit - IPv4Packet.minimumHeaderLength - TCPSegment.minimumHeaderLength }

    mutating func handleTCP(_ ip: IPv4Header, payload: UnsafeRawBufferPointer) {
        let segment = TCPSegment(unchecked: payload)
        let header: TCPHeader
        do {
            header = try TCPHeader(parsing: segment, source: ip.source, destination: ip.destination)
        } catch {
            if error == .badChecksum { link.counters.tcpChecksumErrors &+= 1 } else { link.counters.tcpMalformed &+= 1 }
            return
        }
        link.counters.tcpReceived &+= 1
        // TCP is unicast only (RFC 1122 4.2.3.10).
        guard ip.destination == link.address, link.isConfigured else { return }
        let local = IPv4Endpoint(address: ip.destination, port: header.destinationPort)
        let remote = IPv4Endpoint(address: ip.source, port: header.sourcePort)
        let body = segment.payload
        if let index = connections.firstIndex(where: {
            $0.inUse && $0.state != .closed && $0.local == local && $0.remote == remote
        }) {
            if connections[index].state == .timeWait && header.flags.contains(.syn) && !header.flags.contains(.ack)
                && header.sequenceNumber > connections[index].receiveNext {
                // RFC 9293 3.6.1 (and RFC 1122 4.2.2.13): a new SYN may reopen from TIME-WAIT.
                connections[index].enterClosed()
                releaseIfDone(index)
            } else {
                let outcome = connections[index].process(header, payload: body, now: now, limits: limits,
                                                         counters: &link.counters)
                // Closed by the application: data still arriving is acknowledged and dropped.
                if connections[index].released { connections[index].receiveBuffer.removeAll() }
                switch outcome {
                case .reset(let sequence):
                    sendReset(from: local, to: remote, sequence: sequence, acknowledgment: nil)
                case .challenge:
                    if allowChallenge() {
                        link.counters.tcpChallengeAcks &+= 1
                        connections[index].ackNow = true
                    }
                case .none, .closed, .established:
                    break
                }
                dispatch(index)
                releaseIfDone(index)
                return
            }
        }
        if header.flags.contains(.rst) { return }
        if let listener = listeners.firstIndex(where: { $0.port != 0 && $0.port == local.port }) {
            if header.flags == [.syn] {
                admit(header, local: local, remote: remote, listener: listener)
                return
            }
            if let slot = acceptSynCookie(header, local: local, remote: remote, listener: listener) {
                // The cookie's ACK may carry the first data: process it on the new connection.
                _ = connections[slot].process(header, payload: body, now: now, limits: limits, counters: &link.counters)
                dispatch(slot)
                return
            }
        }
        // RFC 9293 3.10.7.1: a segment for no connection is answered with RST.
        if header.flags.contains(.ack) {
            sendReset(from: local, to: remote, sequence: header.acknowledgmentNumber, acknowledgment: nil)
        } else {
            let length = body.count + (header.flags.contains(.syn) ? 1 : 0) + (header.flags.contains(.fin) ? 1 : 0)
            sendReset(from: local, to: remote, sequence: SequenceNumber(0),
                      acknowledgment: header.sequenceNumber + length)
        }
    }

    /// A SYN for a listener: a new SYN-RECEIVED connection while the backlog has room, else a
    /// SYN cookie (RFC 4987 3.6), so a SYN flood costs no state and cannot lock a client out.
    private mutating func admit(_ header: TCPHeader, local: IPv4Endpoint, remote: IPv4Endpoint, listener: Int) {
        var waiting = 0
        for connection in connections where connection.inUse && connection.listener == listener && !connection.accepted {
            waiting += 1
        }
        if waiting >= max(limits.tcpBacklog, 1) {
            link.counters.tcpBacklogFull &+= 1
            sendSynCookie(header, local: local, remote: remote)
            return
        }
        guard let slot = freeConnectionSlot() else {
            link.counters.tcpNoSlot &+= 1
            return
        }
        connectionOrder &+= 1
        connections[slot].reset(local: local, remote: remote, initialSequence: initialSequence(local: local, remote: remote),
                                ourMSS: ourMSS, limits: limits, order: connectionOrder)
        connections[slot].listener = listener
        connections[slot].state = .synReceived
        connections[slot].initialReceiveSequence = header.sequenceNumber
        connections[slot].receiveNext = header.sequenceNumber + 1
        connections[slot].applySynOptions(header, weSentWindowScale: true)
        connections[slot].sendWindow = UInt32(header.window)
        connections[slot].maximumSendWindow = UInt32(header.window)
        connections[slot].windowUpdateSequence = header.sequenceNumber
        dispatch(slot)
    }

    /// A free slot, else the oldest TIME-WAIT one: under pressure a new connection is worth
    /// more than the TIME-WAIT guarantee (RFC 9293 3.6.1) for an old one.
    func freeConnectionSlot() -> Int? {
        if let free = connections.firstIndex(where: { !$0.inUse }) { return free }
        var oldest: Int? = nil
        for index in connections.indices where connections[index].state == .timeWait {
            if oldest == nil || connections[index].order < connections[oldest!].order { oldest = index }
        }
        return oldest
    }

    /// RFC 6528 3: ISN = M + F(local, remote, secret), M a 4-microsecond clock, F SipHash.
    func initialSequence(local: IPv4Endpoint, remote: IPv4Endpoint) -> SequenceNumber {
        let addresses = UInt64(local.address.rawValue) << 32 | UInt64(remote.address.rawValue)
        let ports = UInt64(local.port) << 16 | UInt64(remote.port)
        let hash = UInt32(truncatingIfNeeded: isnHash.hash(addresses, ports))
        return SequenceNumber(hash &+ UInt32(truncatingIfNeeded: now.nanoseconds / 4000))
    }

    /// RFC 5961 7: at most 10 challenge ACKs per second across the stack.
    mutating func allowChallenge() -> Bool {
        if now.duration(since: challengeWindowStart) >= .seconds(1) {
            challengeWindowStart = now
            challengesInWindow = 0
        }
        guard challengesInWindow < 10 else { return false }
        challengesInWindow += 1
        return true
    }

    /// Sends every segment connection `index` has ready.
    mutating func dispatch(_ index: Int) {
        var budget = 64
        while budget > 0, let plan = connections[index].nextSegment(now: now, limits: limits, ourMSS: ourMSS) {
            budget -= 1
            if !emit(plan, for: index) { break }
        }
    }

    private mutating func emit(_ plan: TCPPlannedSegment, for index: Int) -> Bool {
        let local = connections[index].local
        let remote = connections[index].remote
        let header = TCPHeader(sourcePort: local.port, destinationPort: remote.port, sequenceNumber: plan.sequence,
                               acknowledgmentNumber: plan.flags.contains(.ack) ? plan.acknowledgment : SequenceNumber(0),
                               flags: plan.flags, window: plan.window, maximumSegmentSize: plan.maximumSegmentSize,
                               windowScale: plan.windowScale)
        let headerLength = header.bufferLength
        let sent = link.sendIPv4(to: remote.address, protocolNumber: IPProtocol.tcp,
                                 payloadLength: headerLength + plan.payloadLength) { buffer in
            if plan.payloadLength > 0 {
                _ = connections[index].sendBuffer.copy(
                    from: plan.payloadOffset, into: buffer.slice(headerLength..<headerLength + plan.payloadLength))
            }
            header.emit(into: buffer, source: local.address, destination: remote.address)
        }
        if sent {
            link.counters.tcpSegmentsSent &+= 1
            if plan.isRetransmission { link.counters.tcpRetransmissions &+= 1 }
        }
        return sent
    }

    mutating func sendReset(from local: IPv4Endpoint, to remote: IPv4Endpoint, sequence: SequenceNumber,
                            acknowledgment: SequenceNumber?) {
        let header = TCPHeader(sourcePort: local.port, destinationPort: remote.port, sequenceNumber: sequence,
                               acknowledgmentNumber: acknowledgment ?? SequenceNumber(0),
                               flags: acknowledgment != nil ? [.rst, .ack] : [.rst], window: 0)
        if link.sendIPv4(to: remote.address, protocolNumber: IPProtocol.tcp, payloadLength: header.bufferLength, { buffer in
            header.emit(into: buffer, source: local.address, destination: remote.address)
        }) {
            link.counters.tcpResetsSent &+= 1
        }
    }

    /// Frees a closed slot nobody holds a handle to.
    mutating func releaseIfDone(_ index: Int) {
        let connection = connections[index]
        guard connection.inUse, connection.state == .closed else { return }
        if connection.released || !connection.accepted {
            connections[index].inUse = false
            connections[index].generation &+= 1
        }
    }

    /// Runs every connection's timers and sends what is due.
    mutating func pollTCP() {
        for index in connections.indices where connections[index].inUse {
            let state = connections[index].state
            if !connections[index].runTimers(now: now, limits: limits, counters: &link.counters) {
                if state.isSynchronized {
                    sendReset(from: connections[index].local, to: connections[index].remote,
                              sequence: connections[index].sendNext, acknowledgment: nil)
                }
            } else {
                dispatch(index)
            }
            releaseIfDone(index)
        }
    }
}

/// IPv4 input (RFC 791, RFC 1122 3.2.1): validation, fragment reassembly, and delivery to
/// ICMP (echo reply, RFC 792), UDP (RFC 768) and TCP.

import Capabilities

extension NetworkStack {
    mutating func handleIPv4(_ bytes: UnsafeRawBufferPointer) {
        let packet = IPv4Packet(unchecked: bytes)
        let header: IPv4Header
        do {
            header = try IPv4Header(parsing: packet)
        } catch {
            if error == .badChecksum { link.counters.ipv4ChecksumErrors &+= 1 } else { link.counters.ipv4Malformed &+= 1 }
            return
        }
        link.counters.ipv4Received &+= 1
        // RFC 1122 3.2.1.3: a source that is broadcast, multicast or loopback is discarded.
        if header.source.isBroadcast || header.source.isMulticast || header.source.isLoopback {
            link.counters.ipv4Malformed &+= 1
            return
        }
        // Until DHCP binds, only datagrams to the DHCP client port are ours.
        let unconfiguredDHCP = !link.isConfigured && header.protocolNumber == IPProtocol.udp
        guard link.accepts(header.destination) || unconfiguredDHCP else {
            link.counters.ipv4NotForUs &+= 1
            return
        }
        if header.isFragment {
            handleFragment(header, payload: packet.payload)
        } else {
            deliver(header, payload: packet.payload)
        }
    }

    private mutating func handleFragment(_ header: IPv4Header, payload: UnsafeRawBufferPointer) {
        link.counters.fragmentsReceived &+= 1
        let key = FragmentReassembler.Key(source: header.source, destination: header.destination,
                                          identification: header.identification, protocolNumber: header.protocolNumber)
        let outcome = reassembly.insert(key, offset: header.fragmentOffset, moreFragments: header.moreFragments,
                                        payload: payload, now: now, timeout: limits.reassemblyTimeout)
        switch outcome {
        case .incomplete: break
        case .overlap: link.counters.reassemblyOverlaps &+= 1
        case .tooLarge: link.counters.reassemblyTooLarge &+= 1
        case .noSlot: link.counters.reassemblyNoSlot &+= 1
        case .malformed: link.counters.ipv4Malformed &+= 1
        case .complete(let slot, let length):
            link.counters.datagramsReassembled &+= 1
            var whole = header
            whole.payloadLength = length
            whole.moreFragments = false
            whole.fragmentOffset = 0
            var bytes: [UInt8] = []
            swap(&bytes, &reassembly.slots[slot].bytes)
            bytes.withUnsafeBytes { deliver(whole, payload: $0.slice(0..<length)) }
            swap(&bytes, &reassembly.slots[slot].bytes)
            reassembly.release(slot)
        }
    }

    /// Hands a whole datagram's payload to its protocol.
    mutating func deliver(_ header: IPv4Header, payload: UnsafeRawBufferPointer) {
        switch header.protocolNumber {
        case IPProtocol.icmp: handleICMP(header, payload: payload)
        case IPProtocol.udp: handleUDP(header, payload: payload)
        case IPProtocol.tcp: handleTCP(header, payload: payload)
        default: link.counters.ipv4UnknownProtocol &+= 1
        }
    }

    private mutating func handleICMP(_ header: IPv4Header, payload: UnsafeRawBufferPointer) {
        let packet = ICMPPacket(unchecked: payload)
        let message: ICMPHeader
        do { message = try ICMPHeader(parsing: packet) } catch { link.counters.icmpMalformed &+= 1; return }
        guard message.type == ICMPHeader.echoRequest, message.code == 0 else {
            link.counters.icmpOtherReceived &+= 1
            return
        }
        // RFC 1122 3.2.2.6: no reply to an echo sent to a broadcast address is required; none is sent.
        guard header.destination == link.address else { return }
        let reply = ICMPHeader(type: ICMPHeader.echoReply, code: 0, restOfHeader: message.restOfHeader)
        let data = packet.data
        if link.sendIPv4(to: header.source, protocolNumber: IPProtocol.icmp,
                         payloadLength: ICMPPacket.headerLength + data.count, { buffer in
            buffer.copy(data, at: ICMPPacket.headerLength)
            reply.emit(into: buffer)
        }) {
            link.counters.icmpEchoRepliesSent &+= 1
        }
    }

    /// RFC 792 / RFC 1122 3.2.2.1: port unreachable, quoting the IP header and 8 bytes.
    mutating func sendPortUnreachable(_ header: IPv4Header, payload: UnsafeRawBufferPointer) {
        guard header.destination == link.address, !header.source.isUnspecified else { return }
        let quoted = min(payload.count, 8)
        let message = ICMPHeader(type: ICMPHeader.destinationUnreachable, code: ICMPHeader.portUnreachable,
                                 restOfHeader: 0)
        let quotedHeader = IPv4Header(source: header.source, destination: header.destination,
                                      protocolNumber: header.protocolNumber, payloadLength: payload.count,
                                      timeToLive: header.timeToLive, identification: header.identification,
                                      dontFragment: header.dontFragment)
        let length = ICMPPacket.headerLength + IPv4Packet.minimumHeaderLength + quoted
        if link.sendIPv4(to: header.source, protocolNumber: IPProtocol.icmp, payloadLength: length, { buffer in
            quotedHeader.emit(into: buffer.slice(ICMPPacket.headerLength..<buffer.count))
            buffer.copy(payload.slice(0..<quoted), at: ICMPPacket.headerLength + IPv4Packet.minimumHeaderLength)
            message.emit(into: buffer)
        }) {
            link.counters.icmpUnreachableSent &+= 1
        }
    }
}

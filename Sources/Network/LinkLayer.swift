/// Ethernet output with ARP resolution: IPv4 packets go straight into the device's buffer
/// when the next hop is known, or wait boundedly in pending slots while ARP resolves it.

import Capabilities

struct LinkLayer<Interface: NetworkInterface> {
    var interface: Interface
    let macAddress: MACAddress
    let maximumTransmissionUnit: Int
    var address = IPv4Address.any
    var prefixLength = 0
    var gateway: IPv4Address? = nil
    var arp: ARPCache
    var pending: [PendingFrame]
    var counters = NetworkCounters()
    var now = Instant.zero
    var identification: UInt16 = 0
    let limits: NetworkLimits

    struct PendingFrame {
        var nextHop: IPv4Address? = nil
        var length = 0
        var bytes: [UInt8]
    }

    init(interface: Interface, limits: NetworkLimits) {
        self.interface = interface
        self.limits = limits
        macAddress = interface.macAddress
        maximumTransmissionUnit = max(interface.maximumTransmissionUnit, 576)
        arp = ARPCache(capacity: limits.arpCacheEntries)
        let frameSize = EthernetFrame.headerLength + maximumTransmissionUnit
        pending = [PendingFrame](repeating: PendingFrame(bytes: [UInt8](repeating: 0, count: frameSize)),
                                 count: max(limits.arpPendingFrames, 1))
        // Each slot needs its own storage, not copies of one array sharing a buffer.
        for index in pending.indices { pending[index].bytes = [UInt8](repeating: 0, count: frameSize) }
    }

    var isConfigured: Bool { !address.isUnspecified }

    /// Whether `destination` is one of the addresses this host accepts.
    func accepts(_ destination: IPv4Address) -> Bool {
        if destination == address || destination.isBroadcast { return true }
        // The subnet-directed broadcast (RFC 1122 3.3.6).
        let mask = IPv4Address.mask(prefixLength: prefixLength)
        return isConfigured && prefixLength < 31 && destination.rawValue == address.rawValue | ~mask
    }

    /// Sends a raw Ethernet frame of `length` bytes to `destination`.
    mutating func sendFrame(to destination: MACAddress, etherType: UInt16, payloadLength: Int,
                            _ fill: (UnsafeMutableRawBufferPointer) -> Void) -> Bool {
        let source = macAddress
        let sent = interface.transmit(length: EthernetFrame.headerLength + payloadLength) { frame in
            EthernetFrame.emitHeader(into: frame, destination: destination, source: source, etherType: etherType)
            fill(frame.slice(EthernetFrame.headerLength..<frame.count))
        }
        if sent { counters.framesSent &+= 1 } else { counters.transmitFailures &+= 1 }
        return sent
    }

    /// Sends an IPv4 packet whose payload `fill` writes; routes through the gateway when the
    /// destination is off-link. Returns false when it was dropped (no route, too large, no
    /// device buffer, pending queue full).
    @discardableResult
    mutating func sendIPv4(to destination: IPv4Address, protocolNumber: UInt8, payloadLength: Int,
                           timeToLive: UInt8 = 64, _ fill: (UnsafeMutableRawBufferPointer) -> Void) -> Bool {
        guard IPv4Packet.minimumHeaderLength + payloadLength <= maximumTransmissionUnit else {
            counters.ipv4TooLarge &+= 1
            return false
        }
        identification &+= 1
        let header = IPv4Header(source: address, destination: destination, protocolNumber: protocolNumber,
                                payloadLength: payloadLength, timeToLive: timeToLive, identification: identification)
        let ipLength = IPv4Packet.minimumHeaderLength + payloadLength
        func build(_ packet: UnsafeMutableRawBufferPointer) {
            header.emit(into: packet)
            fill(packet.slice(IPv4Packet.minimumHeaderLength..<ipLength))
        }
        switch route(destination) {
        case .link(let hardware):
            return sendFrame(to: hardware, etherType: EtherType.ipv4, payloadLength: ipLength, build)
        case .queue(let slot, let nextHop):
            pending[slot].bytes.withUnsafeMutableBytes { frame in
                build(frame.slice(EthernetFrame.headerLength..<EthernetFrame.headerLength + ipLength))
            }
            pending[slot].nextHop = nextHop
            pending[slot].length = EthernetFrame.headerLength + ipLength
            resolve(nextHop)
            return true
        case .drop:
            return false
        }
    }

    /// Where an IPv4 packet for `destination` goes next.
    enum IPv4Route {
        /// Straight out to this hardware address (the next hop's, or broadcast).
        case link(MACAddress)
        /// Into pending slot `slot` until ARP resolves `nextHop`.
        case queue(slot: Int, nextHop: IPv4Address)
        /// Nowhere: no route, or the pending queue is full (counted).
        case drop
    }

    /// The routing half of `sendIPv4`, kept out of line: it does not depend on the packet, so
    /// one copy serves every caller's specialisation.
    @inline(never)
    mutating func route(_ destination: IPv4Address) -> IPv4Route {
        if destination.isBroadcast || (accepts(destination) && destination != address) {
            return .link(.broadcast)
        }
        let nextHop: IPv4Address
        if isConfigured && destination.sharesSubnet(with: address, prefixLength: prefixLength) {
            nextHop = destination
        } else if let gateway {
            nextHop = gateway
        } else {
            counters.ipv4NoRoute &+= 1
            return .drop
        }
        if let hardware = arp.lookup(nextHop, now: now) {
            let window = Duration(nanoseconds: limits.arpRetryInterval.nanoseconds * UInt64(max(limits.arpRetries, 1)))
            if let known = arp.refreshIfExpiring(nextHop, now: now, window: window) {
                sendARP(.request, targetHardware: known, targetAddress: nextHop, destination: known)
            }
            return .link(hardware)
        }
        // RFC 1122 2.3.2.2: queue at least one packet per unresolved address; bounded here.
        guard let slot = pending.firstIndex(where: { $0.nextHop == nil }) else {
            // No request either: a flood of packets to unresolvable addresses (SYN-ACKs to
            // spoofed sources) must not turn into an ARP storm or churn the table.
            counters.arpQueueDrops &+= 1
            return .drop
        }
        return .queue(slot: slot, nextHop: nextHop)
    }

    /// Sends a request for `address` unless one is already outstanding.
    mutating func resolve(_ address: IPv4Address) {
        if arp.beginResolving(address, now: now, retryInterval: limits.arpRetryInterval) {
            sendARP(.request, targetHardware: .zero, targetAddress: address, destination: .broadcast)
        }
    }

    mutating func sendARP(_ operation: ARPOperation, targetHardware: MACAddress, targetAddress: IPv4Address,
                          destination: MACAddress) {
        let message = ARPMessage(operation: operation, senderHardware: macAddress, senderProtocol: address,
                                 targetHardware: targetHardware, targetProtocol: targetAddress)
        if sendFrame(to: destination, etherType: EtherType.arp, payloadLength: message.bufferLength, { message.emit(into: $0) }) {
            if operation == .request { counters.arpRequestsSent &+= 1 } else { counters.arpRepliesSent &+= 1 }
        }
    }

    /// Announces our address (a gratuitous ARP request, RFC 5227 3) after it changes.
    mutating func announce() {
        guard isConfigured else { return }
        sendARP(.request, targetHardware: .zero, targetAddress: address, destination: .broadcast)
    }

    /// Handles a received ARP packet (RFC 826 "Packet Reception").
    mutating func handleARP(_ bytes: UnsafeRawBufferPointer) {
        let message: ARPMessage
        do { message = try ARPMessage(parsing: ARPPacket(unchecked: bytes)) } catch { counters.arpMalformed &+= 1; return }
        let sender = message.senderProtocol
        guard !sender.isUnspecified, !sender.isBroadcast, !message.senderHardware.isMulticast else { return }
        let forUs = isConfigured && message.targetProtocol == address
        if sender == address { return }  // Someone else claims our address; not ours to learn.
        if arp.update(sender, hardware: message.senderHardware, now: now, lifetime: limits.arpEntryLifetime,
                      insert: forUs) {
            flushPending(to: sender, hardware: message.senderHardware)
        }
        if forUs && message.operation == .request {
            sendARP(.reply, targetHardware: message.senderHardware, targetAddress: sender,
                    destination: message.senderHardware)
        }
    }

    /// Sends the frames that waited for `nextHop`.
    mutating func flushPending(to nextHop: IPv4Address, hardware: MACAddress) {
        let source = macAddress
        for slot in pending.indices where pending[slot].nextHop == nextHop {
            let length = pending[slot].length
            let sent = interface.transmit(length: length) { frame in
                pending[slot].bytes.withUnsafeBytes { frame.copy($0.slice(0..<length), at: 0) }
                EthernetFrame.emitHeader(into: frame, destination: hardware, source: source, etherType: EtherType.ipv4)
            }
            if sent { counters.framesSent &+= 1 } else { counters.transmitFailures &+= 1 }
            pending[slot].nextHop = nil
        }
    }

    /// Retries outstanding requests and gives up on addresses that never answered.
    mutating func poll() {
        for index in arp.entries.indices {
            let entry = arp.entries[index]
            guard entry.inUse, !entry.resolved, entry.deadline <= now else { continue }
            if entry.attempts >= limits.arpRetries {
                counters.arpResolutionFailures &+= 1
                for slot in pending.indices where pending[slot].nextHop == entry.address {
                    pending[slot].nextHop = nil
                    counters.arpQueueDrops &+= 1
                }
                arp.remove(at: index)
            } else {
                let address = entry.address
                sendARP(.request, targetHardware: .zero, targetAddress: address, destination: .broadcast)
                arp.scheduleRetry(at: index, deadline: now.advanced(by: limits.arpRetryInterval))
            }
        }
    }

    var nextDeadline: Instant? { arp.nextRetry }
}

/// The stack: one value owning the device, the ARP table, reassembly slots, sockets and
/// timers, driven by `poll(now:)` and asleep until `nextDeadline`.

import Capabilities
import Digest

/// A poll-driven IPv4 stack over `Interface`, taking randomness from `Random`.
///
/// Everything is sized once from `NetworkLimits`; time is passed in. A board's loop calls
/// `poll(now:)` whenever the device interrupts or `nextDeadline` passes. An echo server:
///
/// ```swift
/// var stack = NetworkStack(interface: nic, entropy: rng, configuration: configuration,
///                          limits: NetworkLimits(), now: clock.now())
/// let listener = try stack.listen(port: 7)
/// var clients: [TCPConnectionHandle] = []
/// var buffer = [UInt8](repeating: 0, count: 1024)
/// while true {
///     stack.poll(now: clock.now())
///     while let connection = stack.accept(listener) { clients.append(connection) }
///     for connection in clients {
///         buffer.withUnsafeMutableBytes { bytes in
///             let count = stack.receive(into: bytes, from: connection)
///             _ = try? stack.send(UnsafeRawBufferPointer(rebasing: bytes[..<count]), on: connection)
///         }
///         if stack.hasReceivedEnd(connection) { stack.close(connection) }
///     }
///     clients.removeAll { stack.state(of: $0) == .closed }
///     clock.setWakeUp(at: stack.nextDeadline)
///     waitForInterrupt()
/// }
/// ```
///
/// - TCP client: `let connection = try stack.connect(to: IPv4Endpoint(address: server, port: 80))`,
///   then the same `send`/`receive` once `state(of:)` is `.established`; `error(of:)` says why
///   it closed (`.refused`, `.reset`, `.timedOut`); `abort` sends RST.
/// - UDP: `let socket = try stack.bindUDP(port: 7)`, `stack.receive(into:from: socket)` returns
///   the datagram's source and length, `try stack.send(bytes, to: endpoint, from: socket)`.
/// - DNS: `let query = try stack.resolve(nameBytes)`, poll, then `stack.result(of: query)` is
///   `.resolved(address)` or `.failed(error)`; `release(query)` frees the slot.
/// - Configuration: `NetworkConfiguration(parsingArguments: bootargs)`; with `ip=dhcp` the
///   address arrives after a few polls (`stack.address` is nil until then, `dhcpState` tells).
/// - Counters: `stack.counters.write(to: &console)` prints one "name value" line each.
public struct NetworkStack<Interface: NetworkInterface, Random: Entropy> {
    var link: LinkLayer<Interface>
    var entropy: Random
    let limits: NetworkLimits
    var now: Instant
    var reassembly: FragmentReassembler
    var connections: [TCPConnection]
    var listeners: [TCPListenerSlot]
    var udpSockets: [UDPSlot]
    var dhcp: DHCPClient
    var dns: DNSResolver
    var configuredDNSServer: IPv4Address?
    let isnHash: SipHash
    var connectionOrder: UInt64 = 0
    /// RFC 5961 7: challenge ACKs are limited per second, stack-wide.
    var challengeWindowStart = Instant.zero
    var challengesInWindow = 0
    /// The frame being handled: frames are copied out of the device's buffer so the device
    /// can transmit replies while they are processed.
    var receiveScratch: [UInt8]
    var framesPending = false

    public init(interface: Interface, entropy: Random, configuration: NetworkConfiguration = NetworkConfiguration(),
                limits: NetworkLimits = NetworkLimits(), now: Instant) {
        var entropy = entropy
        var limits = limits
        // A device that drops what its FIFO cannot hold gets windows it can absorb.
        if let burst = interface.receiveBurstLimit {
            limits.tcpReceiveBufferSize = Swift.max(Swift.min(limits.tcpReceiveBufferSize, burst), 2 * 1460)
        }
        link = LinkLayer(interface: interface, limits: limits)
        self.limits = limits
        self.now = now
        link.now = now
        reassembly = FragmentReassembler(slots: limits.reassemblySlots, capacity: limits.reassemblyBufferSize)
        connections = []
        connections.reserveCapacity(limits.tcpConnections)
        for _ in 0..<max(limits.tcpConnections, 1) { connections.append(TCPConnection(limits: limits)) }
        listeners = [TCPListenerSlot](repeating: TCPListenerSlot(), count: max(limits.tcpListeners, 1))
        udpSockets = []
        for _ in 0..<max(limits.udpSockets, 1) {
            udpSockets.append(UDPSlot(queue: RingBuffer(capacity: limits.udpReceiveBufferSize)))
        }
        isnHash = SipHash(key0: entropy.next(), key1: entropy.next())
        dhcp = DHCPClient(enabled: configuration.address == .dhcp)
        dns = DNSResolver(slots: limits.dnsQueries)
        configuredDNSServer = configuration.dnsServer
        receiveScratch = [UInt8](repeating: 0, count: EthernetFrame.headerLength + link.maximumTransmissionUnit)
        self.entropy = entropy
        if case .fixed(let address, let prefixLength, let gateway) = configuration.address {
            setAddress(address, prefixLength: prefixLength, gateway: gateway)
        }
    }

    /// The device, for wrappers' settings and statistics.
    public var interface: Interface {
        get { link.interface }
        _modify { yield &link.interface }
    }

    public var counters: NetworkCounters { link.counters }
    public var macAddress: MACAddress { link.macAddress }
    /// Our IPv4 address, nil until configured (fixed, or bound by DHCP).
    public var address: IPv4Address? { link.isConfigured ? link.address : nil }
    public var prefixLength: Int { link.prefixLength }
    public var gateway: IPv4Address? { link.gateway }
    /// The DNS server in use: the command line's, else DHCP's.
    public var dnsServer: IPv4Address? { configuredDNSServer ?? dhcp.dnsServer }

    /// Sets the interface address and announces it with a gratuitous ARP.
    public mutating func setAddress(_ address: IPv4Address, prefixLength: Int, gateway: IPv4Address?) {
        let changed = address != link.address
        link.address = address
        link.prefixLength = max(0, min(prefixLength, 32))
        link.gateway = gateway
        if changed { link.announce() }
    }

    mutating func clearAddress() {
        link.address = .any
        link.prefixLength = 0
        link.gateway = nil
    }

    /// Receives and handles waiting frames, runs due timers and sends what they produce.
    public mutating func poll(now: Instant) {
        if now > self.now { self.now = now }
        link.now = self.now
        var budget = limits.framesPerPoll
        framesPending = false
        while budget > 0 {
            let received: Int? = link.interface.receive { frame in
                let length = min(frame.count, receiveScratch.count)
                receiveScratch.withUnsafeMutableBytes { $0.copy(frame.slice(0..<length), at: 0) }
                return length
            }
            guard let length = received else { break }
            budget -= 1
            var frame: [UInt8] = []
            swap(&frame, &receiveScratch)
            frame.withUnsafeBytes { handleFrame($0.slice(0..<length)) }
            swap(&frame, &receiveScratch)
        }
        if budget == 0 { framesPending = true }
        link.poll()
        let expired = reassembly.expire(now: self.now)
        link.counters.reassemblyTimeouts &+= UInt32(truncatingIfNeeded: expired)
        pollTCP()
        pollDHCP()
        pollDNS()
    }

    /// The earliest instant the stack needs `poll` again without a received frame: a
    /// retransmission, delayed ACK, ARP retry, reassembly timeout, DHCP or DNS timer.
    public var nextDeadline: Instant? {
        if framesPending { return now }
        var deadline = earliest(link.nextDeadline, reassembly.nextDeadline)
        for connection in connections where connection.inUse {
            if connection.hasImmediateWork { return now }
            deadline = earliest(deadline, connection.nextDeadline)
        }
        deadline = earliest(deadline, dhcp.nextDeadline)
        return earliest(deadline, dns.nextDeadline)
    }

    /// Handles one Ethernet frame.
    mutating func handleFrame(_ bytes: UnsafeRawBufferPointer) {
        link.counters.framesReceived &+= 1
        let frame = EthernetFrame(unchecked: bytes)
        let header: EthernetHeader
        do { header = try EthernetHeader(parsing: frame) } catch { link.counters.ethernetMalformed &+= 1; return }
        guard header.destination == link.macAddress || header.destination.isBroadcast else {
            link.counters.framesNotForUs &+= 1
            return
        }
        switch header.etherType {
        case EtherType.arp: link.handleARP(frame.payload)
        case EtherType.ipv4: handleIPv4(frame.payload)
        default: link.counters.unknownEtherType &+= 1
        }
    }

    /// A random 16-bit value, for DHCP and DNS ids and ports.
    mutating func random16() -> UInt16 { UInt16(truncatingIfNeeded: entropy.next()) }
}

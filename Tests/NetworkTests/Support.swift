// Test support: an in-memory Ethernet wire, two-stack harness on a simulated clock, helpers.
import Capabilities
import Network
import XCTest

/// Frames in flight between two sides; side 0's transmissions land in side 1's inbox.
final class Wire {
    var inbox: [[[UInt8]]] = [[], []]
    func deliver(_ frame: [UInt8], to side: Int) { inbox[side].append(frame) }
    var isIdle: Bool { inbox[0].isEmpty && inbox[1].isEmpty }
}

struct MemoryInterface: NetworkInterface {
    let wire: Wire
    let side: Int
    let macAddress: MACAddress
    var maximumTransmissionUnit = 1500
    var sent = 0

    mutating func receive<Result>(_ body: (UnsafeRawBufferPointer) -> Result) -> Result? {
        guard !wire.inbox[side].isEmpty else { return nil }
        let frame = wire.inbox[side].removeFirst()
        return frame.withUnsafeBytes(body)
    }

    mutating func transmit(length: Int, _ fill: (UnsafeMutableRawBufferPointer) -> Void) -> Bool {
        guard length <= maximumTransmissionUnit + 14 else { return false }
        var frame = [UInt8](repeating: 0, count: length)
        frame.withUnsafeMutableBytes(fill)
        wire.deliver(frame, to: 1 - side)
        sent += 1
        return true
    }
}

typealias LossyInterface = FaultInjector<MemoryInterface, SplitMix64>
typealias TestStack = NetworkStack<LossyInterface, SplitMix64>

let macA = MACAddress(0x02, 0, 0, 0, 0, 0x0A)
let macB = MACAddress(0x02, 0, 0, 0, 0, 0x0B)
let addressA = IPv4Address(10, 0, 0, 1)
let addressB = IPv4Address(10, 0, 0, 2)

/// Two stacks on one wire, A = 10.0.0.1 and B = 10.0.0.2, with a clock the test advances.
struct Pair {
    let wire = Wire()
    var a: TestStack
    var b: TestStack
    var now = Instant(nanoseconds: 1_000_000_000)

    init(seed: UInt64 = 1, limits: NetworkLimits = NetworkLimits(), limitsB: NetworkLimits? = nil) {
        let interfaceA = FaultInjector(wrapping: MemoryInterface(wire: wire, side: 0, macAddress: macA),
                                       random: SplitMix64(seed: seed &* 31 &+ 7))
        let interfaceB = FaultInjector(wrapping: MemoryInterface(wire: wire, side: 1, macAddress: macB),
                                       random: SplitMix64(seed: seed &* 17 &+ 3))
        a = NetworkStack(interface: interfaceA, entropy: SplitMix64(seed: seed),
                         configuration: NetworkConfiguration(address: .fixed(address: addressA, prefixLength: 24, gateway: nil)),
                         limits: limits, now: now)
        b = NetworkStack(interface: interfaceB, entropy: SplitMix64(seed: seed &+ 1000),
                         configuration: NetworkConfiguration(address: .fixed(address: addressB, prefixLength: 24, gateway: nil)),
                         limits: limitsB ?? limits, now: now)
    }

    mutating func setLoss(perMillion loss: UInt32, duplication: UInt32 = 0, reordering: UInt32 = 0) {
        a.interface.lossPerMillion = loss
        b.interface.lossPerMillion = loss
        a.interface.duplicationPerMillion = duplication
        b.interface.duplicationPerMillion = duplication
        a.interface.reorderingPerMillion = reordering
        b.interface.reorderingPerMillion = reordering
    }

    /// One step: the clock moves (by the link latency while frames are in flight, else to
    /// the next deadline), then both stacks poll.
    mutating func step(maximumJump: Duration = .seconds(1)) {
        if wire.isIdle {
            a.interface.flushHeld()
            b.interface.flushHeld()
        }
        if wire.isIdle {
            let deadline = [a.nextDeadline, b.nextDeadline].compactMap { $0 }.min() ?? now.advanced(by: maximumJump)
            let target = min(deadline, now.advanced(by: maximumJump))
            now = target > now ? target : now.advanced(by: .microseconds(100))
        } else {
            now = now.advanced(by: .microseconds(100))  // Link latency.
        }
        a.poll(now: now)
        b.poll(now: now)
    }

    /// Steps until `condition` holds or `limit` of simulated time passes; returns whether it held.
    @discardableResult
    mutating func run(for limit: Duration = .seconds(60), until condition: (inout Pair) -> Bool) -> Bool {
        let end = now.advanced(by: limit)
        while now < end {
            if condition(&self) { return true }
            step()
        }
        return condition(&self)
    }
}

extension NetworkStack {
    /// Sends all of `bytes`, returning how many were queued.
    mutating func send(_ bytes: [UInt8], on connection: TCPConnectionHandle) -> Int {
        (try? bytes.withUnsafeBytes { (buffer) throws(SocketError) -> Int in try send(buffer, on: connection) }) ?? -1
    }

    /// Sends one datagram from `socket`.
    mutating func send(_ bytes: [UInt8], to destination: IPv4Endpoint, from socket: UDPSocket) throws(SocketError) {
        let failure = bytes.withUnsafeBytes { buffer -> SocketError? in
            do { try send(buffer, to: destination, from: socket); return nil } catch { return error as? SocketError }
        }
        if let failure { throw failure }
    }

    /// Reads everything waiting.
    mutating func readAll(_ connection: TCPConnectionHandle) -> [UInt8] {
        var result: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { receive(into: $0, from: connection) }
            if count == 0 { break }
            result += buffer[0..<count]
        }
        return result
    }
}

/// A deterministic byte pattern for bulk transfers.
func pattern(_ count: Int, seed: UInt64 = 99) -> [UInt8] {
    var random = SplitMix64(seed: seed)
    return (0..<count).map { _ in UInt8(truncatingIfNeeded: random.next()) }
}

/// A Console that collects bytes, for printing tests.
struct ByteCollector: Console {
    var bytes: [UInt8] = []
    mutating func write(_ buffer: UnsafeRawBufferPointer) { bytes += buffer }
    mutating func read() -> UInt8? { nil }
    var text: String { String(decoding: bytes, as: UTF8.self) }
}

/// A parsed TCP segment captured from the wire.
struct CapturedSegment {
    var ip: IPv4Header
    var tcp: TCPHeader
    var payload: [UInt8]
}

/// Parses every TCP segment in `frames` (others are skipped).
func tcpSegments(_ frames: [[UInt8]]) -> [CapturedSegment] {
    frames.compactMap { frame in
        frame.withUnsafeBytes { bytes -> CapturedSegment? in
            guard let ethernet = try? EthernetHeader(parsing: EthernetFrame(unchecked: bytes)),
                  ethernet.etherType == EtherType.ipv4 else { return nil }
            let packet = IPv4Packet(unchecked: UnsafeRawBufferPointer(rebasing: bytes[14...]))
            guard let ip = try? IPv4Header(parsing: packet), ip.protocolNumber == IPProtocol.tcp else { return nil }
            let segment = TCPSegment(unchecked: packet.payload)
            guard let tcp = try? TCPHeader(parsing: segment, source: ip.source, destination: ip.destination) else { return nil }
            return CapturedSegment(ip: ip, tcp: tcp, payload: Array(segment.payload))
        }
    }
}

/// Builds an Ethernet + IPv4 + TCP frame with valid checksums.
func tcpFrame(from sourceMAC: MACAddress, to destinationMAC: MACAddress, source: IPv4Endpoint,
              destination: IPv4Endpoint, _ header: TCPHeader, payload: [UInt8] = []) -> [UInt8] {
    var header = header
    header.sourcePort = source.port
    header.destinationPort = destination.port
    let tcpLength = header.bufferLength + payload.count
    let ip = IPv4Header(source: source.address, destination: destination.address, protocolNumber: IPProtocol.tcp,
                        payloadLength: tcpLength, identification: 1)
    var frame = [UInt8](repeating: 0, count: 14 + 20 + tcpLength)
    frame.withUnsafeMutableBytes { bytes in
        EthernetHeader(destination: destinationMAC, source: sourceMAC, etherType: EtherType.ipv4).emit(into: bytes)
        ip.emit(into: UnsafeMutableRawBufferPointer(rebasing: bytes[14..<34]))
        let tcp = UnsafeMutableRawBufferPointer(rebasing: bytes[34...])
        for (index, byte) in payload.enumerated() { tcp[header.bufferLength + index] = byte }
        header.emit(into: tcp, source: source.address, destination: destination.address)
    }
    return frame
}

/// Builds an Ethernet + IPv4 frame around an arbitrary payload (checksums valid at IP level).
func ipv4Frame(from sourceMAC: MACAddress, to destinationMAC: MACAddress, _ header: IPv4Header, payload: [UInt8]) -> [UInt8] {
    var frame = [UInt8](repeating: 0, count: 14 + 20 + payload.count)
    frame.withUnsafeMutableBytes { bytes in
        EthernetHeader(destination: destinationMAC, source: sourceMAC, etherType: EtherType.ipv4).emit(into: bytes)
        header.emit(into: UnsafeMutableRawBufferPointer(rebasing: bytes[14..<34]))
    }
    frame.replaceSubrange(34..., with: payload)
    return frame
}

// Test support: one stack on a wire whose far side the test plays by hand (servers, peers).
import Capabilities
import Network
import XCTest

typealias PlainStack = NetworkStack<MemoryInterface, SplitMix64>

let peerMAC = MACAddress(0x02, 0, 0, 0, 0, 0xFE)

struct Host {
    let wire = Wire()
    var stack: PlainStack
    var now = Instant(nanoseconds: 1_000_000_000)

    init(configuration: NetworkConfiguration = NetworkConfiguration(address: .fixed(address: addressA, prefixLength: 24,
                                                                                     gateway: IPv4Address(10, 0, 0, 254))),
         limits: NetworkLimits = NetworkLimits(), seed: UInt64 = 5) {
        stack = NetworkStack(interface: MemoryInterface(wire: wire, side: 0, macAddress: macA),
                             entropy: SplitMix64(seed: seed), configuration: configuration, limits: limits, now: now)
    }

    /// Frames the stack sent since the last call.
    mutating func sent() -> [[UInt8]] {
        let frames = wire.inbox[1]
        wire.inbox[1].removeAll()
        return frames
    }

    mutating func inject(_ frame: [UInt8]) { wire.inbox[0].append(frame) }

    mutating func advance(to instant: Instant) {
        now = instant
        stack.poll(now: now)
    }

    mutating func advance(by duration: Duration) { advance(to: now.advanced(by: duration)) }

    /// Answers every ARP request in `frames` as if `owner` held each address asked for.
    mutating func answerARP(in frames: [[UInt8]], owner: MACAddress = peerMAC) {
        for frame in frames {
            guard let request = frame.withUnsafeBytes({ bytes -> ARPMessage? in
                guard bytes.count >= 42, bytes[12] == 0x08, bytes[13] == 0x06 else { return nil }
                return try? ARPMessage(parsing: ARPPacket(unchecked: UnsafeRawBufferPointer(rebasing: bytes[14...])))
            }), request.operation == .request, request.senderProtocol != request.targetProtocol else { continue }
            let reply = ARPMessage(operation: .reply, senderHardware: owner, senderProtocol: request.targetProtocol,
                                   targetHardware: request.senderHardware, targetProtocol: request.senderProtocol)
            inject(arpFrame(reply, from: owner, to: request.senderHardware))
        }
    }
}

func arpFrame(_ message: ARPMessage, from source: MACAddress, to destination: MACAddress) -> [UInt8] {
    var frame = [UInt8](repeating: 0, count: 42)
    frame.withUnsafeMutableBytes { bytes in
        EthernetHeader(destination: destination, source: source, etherType: EtherType.arp).emit(into: bytes)
        message.emit(into: UnsafeMutableRawBufferPointer(rebasing: bytes[14...]))
    }
    return frame
}

/// A UDP datagram captured from the wire.
struct CapturedDatagram {
    var ethernet: EthernetHeader
    var ip: IPv4Header
    var udp: UDPHeader
    var payload: [UInt8]
}

func udpDatagrams(_ frames: [[UInt8]]) -> [CapturedDatagram] {
    frames.compactMap { frame in
        frame.withUnsafeBytes { bytes -> CapturedDatagram? in
            guard let ethernet = try? EthernetHeader(parsing: EthernetFrame(unchecked: bytes)),
                  ethernet.etherType == EtherType.ipv4 else { return nil }
            let packet = IPv4Packet(unchecked: UnsafeRawBufferPointer(rebasing: bytes[14...]))
            guard let ip = try? IPv4Header(parsing: packet), ip.protocolNumber == IPProtocol.udp else { return nil }
            let datagram = UDPDatagram(unchecked: packet.payload)
            guard let udp = try? UDPHeader(parsing: datagram, source: ip.source, destination: ip.destination) else { return nil }
            return CapturedDatagram(ethernet: ethernet, ip: ip, udp: udp, payload: Array(datagram.payload))
        }
    }
}

func udpFrame(from sourceMAC: MACAddress = peerMAC, to destinationMAC: MACAddress = macA, source: IPv4Endpoint,
              destination: IPv4Endpoint, payload: [UInt8]) -> [UInt8] {
    let udp = UDPHeader(sourcePort: source.port, destinationPort: destination.port, payloadLength: payload.count)
    let ip = IPv4Header(source: source.address, destination: destination.address, protocolNumber: IPProtocol.udp,
                        payloadLength: 8 + payload.count, identification: 7)
    var frame = [UInt8](repeating: 0, count: 42 + payload.count)
    frame.replaceSubrange(42..., with: payload)
    frame.withUnsafeMutableBytes { bytes in
        EthernetHeader(destination: destinationMAC, source: sourceMAC, etherType: EtherType.ipv4).emit(into: bytes)
        ip.emit(into: UnsafeMutableRawBufferPointer(rebasing: bytes[14..<34]))
        udp.emit(into: UnsafeMutableRawBufferPointer(rebasing: bytes[34...]), source: source.address,
                 destination: destination.address)
    }
    return frame
}

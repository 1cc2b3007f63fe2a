// libFuzzer entry for the Network stack: the input is a script of received frames, clock
// steps and application calls played against a fresh stack; nothing may trap or hang.
//
// Script records: [kind][length: 2 bytes big-endian][body]. Kind 0 delivers body as a frame,
// kind 1 advances the clock by body[0] * 100 ms, kind 2 reads, writes and closes sockets,
// kind 3 parses body as command-line words, kind 4 parses body as a DNS answer.
import Capabilities
import Network

struct FuzzInterface: NetworkInterface {
    var frames: [ArraySlice<UInt8>] = []
    var sink = [UInt8](repeating: 0, count: 1514)
    var sent = 0
    var macAddress: MACAddress { MACAddress(0x02, 0, 0, 0, 0, 0x0A) }
    var maximumTransmissionUnit: Int { 1500 }

    mutating func receive<Result>(_ body: (UnsafeRawBufferPointer) -> Result) -> Result? {
        guard !frames.isEmpty else { return nil }
        let frame = frames.removeFirst()
        return frame.withUnsafeBytes(body)
    }

    mutating func transmit(length: Int, _ fill: (UnsafeMutableRawBufferPointer) -> Void) -> Bool {
        guard length <= sink.count else { return false }
        sink.withUnsafeMutableBytes { fill(UnsafeMutableRawBufferPointer(rebasing: $0[0..<length])) }
        sent += 1
        return true
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = UnsafeBufferPointer(start: data, count: size)
    var limits = NetworkLimits()
    limits.tcpConnections = 4
    limits.tcpSendBufferSize = 4096
    limits.tcpReceiveBufferSize = 4096
    limits.reassemblyBufferSize = 4096
    var now = Instant(nanoseconds: 1_000_000_000)
    var stack = NetworkStack(interface: FuzzInterface(), entropy: SplitMix64(seed: 1),
                             configuration: NetworkConfiguration(address: .fixed(address: IPv4Address(10, 0, 0, 1), prefixLength: 24,
                                                                                  gateway: IPv4Address(10, 0, 0, 254)),
                                                                 dnsServer: IPv4Address(10, 0, 0, 53)),
                             limits: limits, now: now)
    guard let listener = try? stack.listen(port: 80), let socket = try? stack.bindUDP(port: 7) else { return 0 }
    var connections: [TCPConnectionHandle] = []
    var buffer = [UInt8](repeating: 0, count: 2048)
    var offset = 0
    var records = 0
    while offset + 3 <= input.count && records < 64 {
        records += 1
        let kind = input[offset]
        let length = min(Int(input[offset + 1]) << 8 | Int(input[offset + 2]), input.count - offset - 3)
        let body = Array(input[offset + 3..<offset + 3 + length])
        offset += 3 + length
        switch kind % 5 {
        case 0:
            stack.interface.frames.append(body[...])
            stack.poll(now: now)
        case 1:
            now = now.advanced(by: .milliseconds(UInt64(body.first ?? 10) * 100))
            stack.poll(now: now)
        case 2:
            while let connection = stack.accept(listener) { connections.append(connection) }
            if connections.isEmpty, body.count >= 6 {
                let remote = IPv4Endpoint(address: IPv4Address(10, 0, 0, body[0]), port: UInt16(body[1]) << 8 | UInt16(body[2]))
                if let connection = try? stack.connect(to: remote) { connections.append(connection) }
            }
            for connection in connections {
                _ = buffer.withUnsafeMutableBytes { stack.receive(into: $0, from: connection) }
                _ = try? body.withUnsafeBytes { try stack.send($0, on: connection) }
                if body.first.map({ $0 & 1 == 1 }) ?? false { stack.close(connection) }
            }
            _ = buffer.withUnsafeMutableBytes { stack.receive(into: $0, from: socket) }
            _ = try? body.withUnsafeBytes { try stack.send($0, to: IPv4Endpoint(address: IPv4Address(10, 0, 0, 2), port: 7), from: socket) }
            if body.count > 2 { _ = try? body.withUnsafeBytes { try stack.resolve($0) } }
        case 3:
            _ = try? body.withUnsafeBytes { try NetworkConfiguration(parsingArguments: $0) }
        default:
            _ = body.withUnsafeBytes { bytes -> DNSAnswer? in
                let name: [UInt8] = [7] + Array("example".utf8) + [3] + Array("com".utf8) + [0]
                return name.withUnsafeBytes { try? DNSAnswer(parsing: DNSPacket(unchecked: bytes), name: $0) }
            }
        }
    }
    // Whatever happened, the stack still has a deadline it can compute and polls cleanly.
    _ = stack.nextDeadline
    stack.poll(now: now.advanced(by: .seconds(120)))
    return 0
}

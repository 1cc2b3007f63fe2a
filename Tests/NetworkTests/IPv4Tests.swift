// IPv4 input: ICMP echo and port unreachable, UDP sockets, fragment reassembly and its bounds.
import Capabilities
import Network
import XCTest

final class IPv4Tests: XCTestCase {
    let peer = IPv4Address(10, 0, 0, 7)

    func ready() -> Host {
        var host = Host()
        // Teach the stack the peer's MAC so replies go out at once.
        host.inject(arpFrame(ARPMessage(operation: .request, senderHardware: peerMAC, senderProtocol: peer,
                                        targetHardware: .zero, targetProtocol: addressA), from: peerMAC, to: .broadcast))
        host.stack.poll(now: host.now)
        _ = host.sent()
        return host
    }

    func testEchoRequestGetsGoldenReply() {
        var host = ready()
        let echo: [UInt8] = [0x08, 0x00, 0xf0, 0xf5, 0x42, 0x42, 0x00, 0x01, 0x61, 0x62, 0x63, 0x64]
        host.inject(ipv4Frame(from: peerMAC, to: macA, IPv4Header(source: peer, destination: addressA, protocolNumber: 1,
                                                                 payloadLength: echo.count), payload: echo))
        host.stack.poll(now: host.now)
        let frames = host.sent()
        XCTAssertEqual(frames.count, 1)
        XCTAssertEqual(frames.first.map { Array($0[34...]) }, [0x00, 0x00, 0xf8, 0xf5, 0x42, 0x42, 0x00, 0x01, 0x61, 0x62, 0x63, 0x64])
        XCTAssertEqual(frames.first.map { Array($0[26..<34]) }, [10, 0, 0, 1, 10, 0, 0, 7])
        XCTAssertEqual(host.stack.counters.icmpEchoRepliesSent, 1)
        // A corrupted echo is counted, not answered.
        var broken = echo
        broken[9] ^= 0xFF
        host.inject(ipv4Frame(from: peerMAC, to: macA, IPv4Header(source: peer, destination: addressA, protocolNumber: 1,
                                                                 payloadLength: broken.count), payload: broken))
        host.stack.poll(now: host.now)
        XCTAssertTrue(host.sent().isEmpty)
        XCTAssertEqual(host.stack.counters.icmpMalformed, 1)
    }

    func testUDPSocketReceivesAndReplies() throws {
        var host = ready()
        let socket = try host.stack.bindUDP(port: 7)
        XCTAssertThrowsError(try host.stack.bindUDP(port: 7))
        host.inject(udpFrame(source: IPv4Endpoint(address: peer, port: 5353), destination: IPv4Endpoint(address: addressA, port: 7),
                             payload: Array("hello".utf8)))
        host.stack.poll(now: host.now)
        var buffer = [UInt8](repeating: 0, count: 3)
        let received = buffer.withUnsafeMutableBytes { host.stack.receive(into: $0, from: socket) }
        XCTAssertEqual(received, UDPReceived(source: IPv4Endpoint(address: peer, port: 5353), length: 3, truncated: true))
        XCTAssertEqual(buffer, Array("hel".utf8))
        try host.stack.send(Array("pong".utf8), to: IPv4Endpoint(address: peer, port: 5353), from: socket)
        let reply = try XCTUnwrap(udpDatagrams(host.sent()).first)
        XCTAssertEqual(reply.udp, UDPHeader(sourcePort: 7, destinationPort: 5353, payloadLength: 4))
        XCTAssertEqual(reply.payload, Array("pong".utf8))
        XCTAssertEqual(reply.ethernet.destination, peerMAC)
    }

    func testUDPQueueIsBounded() throws {
        var limits = NetworkLimits()
        limits.udpReceiveBufferSize = 100
        var host = Host(limits: limits)
        let socket = try host.stack.bindUDP(port: 7)
        for _ in 0..<5 {
            host.inject(udpFrame(source: IPv4Endpoint(address: peer, port: 1), destination: IPv4Endpoint(address: addressA, port: 7),
                                 payload: [UInt8](repeating: 1, count: 40)))
        }
        host.stack.poll(now: host.now)
        XCTAssertEqual(host.stack.counters.udpQueueDrops, 3, "two 48-byte records fit in 100 bytes")
        var buffer = [UInt8](repeating: 0, count: 64)
        var count = 0
        while buffer.withUnsafeMutableBytes({ host.stack.receive(into: $0, from: socket) }) != nil { count += 1 }
        XCTAssertEqual(count, 2)
    }

    func testUnboundPortGetsPortUnreachable() throws {
        var host = ready()
        host.inject(udpFrame(source: IPv4Endpoint(address: peer, port: 5353), destination: IPv4Endpoint(address: addressA, port: 9999),
                             payload: [1, 2, 3, 4]))
        host.stack.poll(now: host.now)
        let frame = try XCTUnwrap(host.sent().first)
        XCTAssertEqual(frame[23], 1, "ICMP")
        XCTAssertEqual(Array(frame[34..<36]), [3, 3], "destination unreachable, port")
        XCTAssertEqual(Array(frame[42 + 12..<42 + 20]), [10, 0, 0, 7, 10, 0, 0, 1], "the quoted header's addresses")
        XCTAssertEqual(Array(frame[62..<64]), [0x14, 0xe9], "the quoted UDP source port")
        XCTAssertEqual(frame.withUnsafeBytes { InternetChecksum.of(UnsafeRawBufferPointer(rebasing: $0[34...])) }, 0)
        XCTAssertEqual(host.stack.counters.udpNoPort, 1)
    }

    /// Fragments of one UDP datagram carrying `payload`, split at `cuts` (multiples of 8).
    func fragments(_ payload: [UInt8], cuts: [Int], identification: UInt16 = 77) -> [[UInt8]] {
        var whole = [UInt8](repeating: 0, count: 8 + payload.count)
        whole.replaceSubrange(8..., with: payload)
        whole.withUnsafeMutableBytes {
            UDPHeader(sourcePort: 1000, destinationPort: 7, payloadLength: payload.count).emit(into: $0, source: peer, destination: addressA)
        }
        let bounds = [0] + cuts + [whole.count]
        return zip(bounds, bounds.dropFirst()).map { start, end in
            let header = IPv4Header(source: peer, destination: addressA, protocolNumber: IPProtocol.udp, payloadLength: end - start,
                                    identification: identification, dontFragment: false, moreFragments: end != whole.count,
                                    fragmentOffset: start)
            return ipv4Frame(from: peerMAC, to: macA, header, payload: Array(whole[start..<end]))
        }
    }

    func testFragmentsReassembleInAnyOrder() throws {
        var host = ready()
        let socket = try host.stack.bindUDP(port: 7)
        let payload = pattern(3000)
        let pieces = fragments(payload, cuts: [1480, 2960])
        for index in [2, 0, 1] { host.inject(pieces[index]) }
        host.stack.poll(now: host.now)
        var buffer = [UInt8](repeating: 0, count: 4000)
        let received = buffer.withUnsafeMutableBytes { host.stack.receive(into: $0, from: socket) }
        XCTAssertEqual(received?.length, 3000)
        XCTAssertEqual(Array(buffer[0..<3000]), payload)
        XCTAssertEqual(host.stack.counters.datagramsReassembled, 1)
        XCTAssertEqual(host.stack.counters.fragmentsReceived, 3)
    }

    func testOverlappingFragmentsDropTheDatagram() throws {
        var host = ready()
        let socket = try host.stack.bindUDP(port: 7)
        let payload = pattern(3000)
        let pieces = fragments(payload, cuts: [1480, 2960])
        let overlapping = fragments(payload, cuts: [1000, 2000])[1]  // Bytes 1000..<2000 again.
        for frame in [pieces[0], overlapping, pieces[1], pieces[2]] { host.inject(frame) }
        host.stack.poll(now: host.now)
        XCTAssertEqual(host.stack.counters.reassemblyOverlaps, 1)
        var buffer = [UInt8](repeating: 0, count: 4000)
        XCTAssertNil(buffer.withUnsafeMutableBytes { host.stack.receive(into: $0, from: socket) })
    }

    func testIncompleteDatagramTimesOutAndFreesItsSlot() throws {
        var host = ready()
        let socket = try host.stack.bindUDP(port: 7)
        let first = fragments(pattern(3000), cuts: [1480, 2960], identification: 1)
        host.inject(first[0])
        host.inject(first[1])
        host.stack.poll(now: host.now)
        XCTAssertEqual(host.stack.nextDeadline, host.now.advanced(by: .seconds(15)))
        host.advance(by: .seconds(15))
        XCTAssertEqual(host.stack.counters.reassemblyTimeouts, 1)
        host.inject(first[2])  // Too late: it starts a new, incomplete datagram.
        host.stack.poll(now: host.now)
        var buffer = [UInt8](repeating: 0, count: 4000)
        XCTAssertNil(buffer.withUnsafeMutableBytes { host.stack.receive(into: $0, from: socket) })
    }

    func testReassemblyIsBoundedInSlotsAndSize() throws {
        var limits = NetworkLimits()
        limits.reassemblySlots = 2
        limits.reassemblyBufferSize = 4096
        var host = Host(limits: limits)
        for identification in UInt16(1)...3 {
            host.inject(fragments(pattern(3000), cuts: [1480], identification: identification)[0])
        }
        host.stack.poll(now: host.now)
        XCTAssertEqual(host.stack.counters.reassemblyNoSlot, 1)
        let huge = fragments(pattern(6000), cuts: [1480, 2960, 4440, 5920], identification: 9)
        host.inject(huge[4])
        host.stack.poll(now: host.now)
        XCTAssertEqual(host.stack.counters.reassemblyTooLarge, 1)
    }

    func testMalformedFramesAreCountedAndDropped() {
        var host = ready()
        let good = udpFrame(source: IPv4Endpoint(address: peer, port: 1), destination: IPv4Endpoint(address: addressA, port: 9999),
                            payload: [1])
        var badChecksum = good; badChecksum[24] ^= 1
        var badUDP = good; badUDP[41] ^= 1
        let truncated = Array(good[0..<30])
        var notForUs = good; notForUs[0] = 0x04
        var otherAddress = good; otherAddress[33] = 99; otherAddress[24...25] = [0, 0]
        otherAddress.withUnsafeMutableBytes { bytes in
            let sum = InternetChecksum.of(UnsafeRawBufferPointer(rebasing: bytes[14..<34]))
            bytes[24] = UInt8(sum >> 8); bytes[25] = UInt8(sum & 0xFF)
        }
        for frame in [badChecksum, badUDP, truncated, notForUs, otherAddress, [1, 2, 3]] { host.inject(frame) }
        host.stack.poll(now: host.now)
        let counters = host.stack.counters
        XCTAssertEqual(counters.ipv4ChecksumErrors, 1)
        XCTAssertEqual(counters.udpChecksumErrors, 1)
        XCTAssertEqual(counters.ipv4Malformed, 1, "the truncated one")
        XCTAssertEqual(counters.framesNotForUs, 1)
        XCTAssertEqual(counters.ipv4NotForUs, 1)
        XCTAssertEqual(counters.ethernetMalformed, 1)
        XCTAssertTrue(host.sent().isEmpty)
    }
}

// TCP options and ACK policy: window scaling, MSS, delayed ACKs, opening in both directions.
import Capabilities
import Network
import XCTest

final class TCPOptionsTests: XCTestCase {
    func testWindowScalingIsNegotiatedAndCarriesWindowsOver64KiB() throws {
        var limits = NetworkLimits()
        limits.tcpReceiveBufferSize = 256 * 1024
        limits.tcpSendBufferSize = 256 * 1024
        var pair = Pair(limits: limits)
        let listener = try pair.a.listen(port: 80)
        let client = try pair.b.connect(to: IPv4Endpoint(address: addressA, port: 80))
        var handshake: [CapturedSegment] = []
        var server: TCPConnectionHandle? = nil
        for _ in 0..<10 where server == nil {
            // Poll one side at a time so every frame can be seen before it is consumed.
            handshake += tcpSegments(pair.wire.inbox[0])
            pair.a.poll(now: pair.now)
            handshake += tcpSegments(pair.wire.inbox[1])
            pair.b.poll(now: pair.now)
            server = pair.a.accept(listener)
        }
        let syn = try XCTUnwrap(handshake.first { $0.tcp.flags == [.syn] })
        let synAck = try XCTUnwrap(handshake.first { $0.tcp.flags == [.syn, .ack] })
        // 256 KiB >> 3 = 32 KiB fits the 16-bit field (RFC 7323 2.3).
        XCTAssertEqual(syn.tcp.windowScale, 3)
        XCTAssertEqual(synAck.tcp.windowScale, 3)
        XCTAssertEqual(syn.tcp.maximumSegmentSize, 1460)
        XCTAssertEqual(syn.tcp.window, 65535, "SYN windows are never scaled")
        // B advertises its scaled window: the field times 8 exceeds 64 KiB.
        var advertised: [UInt32] = []
        let data = pattern(600_000)
        var offset = 0
        var received: [UInt8] = []
        pair.run(for: .seconds(30)) { pair in
            advertised += tcpSegments(pair.wire.inbox[0]).filter { $0.ip.source == addressB }.map { UInt32($0.tcp.window) << 3 }
            if offset < data.count { offset += pair.a.send(Array(data[offset..<min(offset + 65536, data.count)]), on: server!) }
            received += pair.b.readAll(client)
            return received.count == data.count
        }
        XCTAssertTrue(received == data)
        XCTAssertGreaterThan(advertised.max() ?? 0, 200_000)
    }

    func testPeerWithoutWindowScaleGetsUnscaledWindows() throws {
        var host = Host()
        _ = try host.stack.listen(port: 80)
        host.answerARP(in: host.sent())
        let peer = IPv4Endpoint(address: IPv4Address(10, 0, 0, 7), port: 40000)
        host.inject(tcpFrame(from: peerMAC, to: macA, source: peer, destination: IPv4Endpoint(address: addressA, port: 80),
                             TCPHeader(sourcePort: 0, destinationPort: 0, sequenceNumber: SequenceNumber(100),
                                       acknowledgmentNumber: SequenceNumber(0), flags: [.syn], window: 8192, maximumSegmentSize: 536)))
        host.stack.poll(now: host.now)
        host.answerARP(in: host.sent())
        host.stack.poll(now: host.now)
        let synAck = try XCTUnwrap(tcpSegments(host.sent()).first)
        XCTAssertEqual(synAck.tcp.flags, [.syn, .ack])
        XCTAssertNil(synAck.tcp.windowScale, "RFC 7323 1.3: no WS in SYN-ACK unless the SYN had one")
        XCTAssertEqual(synAck.tcp.acknowledgmentNumber, SequenceNumber(101))
        XCTAssertEqual(synAck.tcp.window, 16384)
    }

    func testDelayedAckWaitsForASecondSegmentOrTheTimer() throws {
        var pair = Pair()
        let (server, client) = try TCPHandshakeTests.connect(&pair)
        pair.run(for: .seconds(1)) { _ in false }
        XCTAssertEqual(pair.a.send([1], on: server), 1)
        pair.b.poll(now: pair.now)
        _ = pair.b.readAll(client)
        XCTAssertTrue(pair.wire.inbox[0].isEmpty, "one segment: the ACK waits")
        XCTAssertEqual(pair.b.nextDeadline, pair.now.advanced(by: .milliseconds(200)))
        pair.now = pair.now.advanced(by: .milliseconds(200))
        pair.b.poll(now: pair.now)
        let ack = try XCTUnwrap(tcpSegments(pair.wire.inbox[0]).first)
        XCTAssertEqual(ack.tcp.flags, [.ack])
        XCTAssertTrue(ack.payload.isEmpty)
        pair.run(for: .seconds(1)) { _ in false }
        // Two full segments: the second is acknowledged at once (RFC 5681 4.2).
        XCTAssertEqual(pair.a.send(pattern(2920), on: server), 2920)
        pair.b.poll(now: pair.now)
        XCTAssertEqual(tcpSegments(pair.wire.inbox[0]).count, 1)
    }

    func testBothStacksCanOpenToEachOther() throws {
        var pair = Pair()
        let (server, client) = try TCPHandshakeTests.connect(&pair)  // B to A.
        let listener = try pair.b.listen(port: 8080)
        let reverse = try pair.a.connect(to: IPv4Endpoint(address: addressB, port: 8080))
        var accepted: TCPConnectionHandle? = nil
        pair.run(for: .seconds(5)) { pair in
            accepted = accepted ?? pair.b.accept(listener)
            return accepted != nil && pair.a.state(of: reverse) == .established
        }
        XCTAssertEqual(pair.a.send([42], on: reverse), 1)
        XCTAssertEqual(pair.b.send([43], on: client), 1)
        var onB: [UInt8] = [], onA: [UInt8] = []
        pair.run(for: .seconds(2)) { pair in
            onB += pair.b.readAll(accepted!)
            onA += pair.a.readAll(server)
            return onA.count == 1 && onB.count == 1
        }
        XCTAssertEqual(onB, [42])
        XCTAssertEqual(onA, [43])
    }

    func testTracerSeesEveryFrameAndWritesPcap() {
        struct Recorder: FrameSink {
            var frames: [(FrameDirection, Int)] = []
            var pcap = PcapWriter(output: ByteCollector())
            mutating func record(_ frame: UnsafeRawBufferPointer, direction: FrameDirection) {
                frames.append((direction, frame.count))
                pcap.record(frame, direction: direction)
            }
        }
        let wire = Wire()
        let traced = PacketTracer(wrapping: MemoryInterface(wire: wire, side: 0, macAddress: macA), sink: Recorder())
        var stack = NetworkStack(interface: traced, entropy: SplitMix64(seed: 1),
                                 configuration: NetworkConfiguration(address: .fixed(address: addressA, prefixLength: 24, gateway: nil)),
                                 now: .zero)
        wire.inbox[0].append(arpFrame(ARPMessage(operation: .request, senderHardware: peerMAC, senderProtocol: IPv4Address(10, 0, 0, 7),
                                                 targetHardware: .zero, targetProtocol: addressA), from: peerMAC, to: .broadcast))
        stack.poll(now: .zero)
        let frames = stack.interface.sink.frames
        XCTAssertEqual(frames.map { $0.0 }, [.sent, .received, .sent], "announcement, request, reply")
        XCTAssertEqual(frames.map { $0.1 }, [42, 42, 42])
        let pcap = stack.interface.sink.pcap.output.bytes
        XCTAssertEqual(Array(pcap[0..<4]), [0xd4, 0xc3, 0xb2, 0xa1], "little-endian pcap magic")
        XCTAssertEqual(pcap.count, 24 + 3 * (16 + 42))
    }
}

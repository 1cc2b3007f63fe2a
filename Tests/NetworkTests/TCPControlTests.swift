// TCP control: FIN and TIME-WAIT, RST and RFC 5961 challenge ACKs, SYN floods and the backlog.
import Capabilities
import Network
import XCTest

final class TCPControlTests: XCTestCase {
    func testActiveCloserWaitsInTimeWaitThenFreesTheSlot() throws {
        var pair = Pair()
        let (server, client) = try TCPHandshakeTests.connect(&pair)
        pair.b.close(client)  // B closes first: FIN-WAIT-1, then FIN-WAIT-2 once A acknowledges.
        pair.run(for: .seconds(1)) { pair in pair.a.state(of: server) == .closeWait }
        XCTAssertEqual(pair.a.state(of: server), .closeWait)
        XCTAssertTrue(pair.a.hasReceivedEnd(server))
        pair.a.close(server)
        pair.run(for: .seconds(1)) { _ in false }
        let timeWaitStart = pair.now
        // B's slot stays in TIME-WAIT; a new connection from B still gets a free slot.
        XCTAssertEqual(pair.b.counters.tcpResetsSent, 0)
        let listener = try pair.b.listen(port: 9)
        _ = listener
        var limits = NetworkLimits()
        limits.tcpConnections = 1
        // A second connection attempt from A to B's new listener works though B's only other
        // slot is in TIME-WAIT (the default 8 slots leave room).
        let again = try pair.a.connect(to: IPv4Endpoint(address: addressB, port: 9))
        pair.run(for: .seconds(5)) { pair in pair.a.state(of: again) == .established }
        XCTAssertEqual(pair.a.state(of: again), .established)
        pair.run(for: .seconds(40)) { _ in false }
        XCTAssertGreaterThanOrEqual(pair.now.duration(since: timeWaitStart), .seconds(30))
        XCTAssertEqual(pair.a.counters.tcpRetransmissions, 0)
    }

    func testTimeWaitLastsTwoMSLAndAnswersARetransmittedFin() throws {
        var limits = NetworkLimits()
        limits.tcpConnections = 1
        var pair = Pair(limits: limits)
        let (server, client) = try TCPHandshakeTests.connect(&pair)
        pair.b.close(client)
        pair.run(for: .seconds(1)) { pair in pair.a.state(of: server) == .closeWait }
        pair.a.close(server)
        pair.run(for: .seconds(1)) { _ in false }
        XCTAssertEqual(pair.a.state(of: server), .closed)  // LAST-ACK done; handle is stale.
        // B's one slot is in TIME-WAIT: B, the client, can reuse it for a new active open.
        let fresh = try pair.b.connect(to: IPv4Endpoint(address: addressA, port: 80))
        XCTAssertEqual(pair.b.state(of: fresh), .synSent)
    }

    func testResetOutsideExactSequenceGetsChallengeAckAndExactResetCloses() throws {
        var pair = Pair()
        let (server, client) = try TCPHandshakeTests.connect(&pair)
        XCTAssertEqual(pair.b.send([7, 7, 7], on: client), 3)
        pair.run(for: .seconds(1)) { _ in false }
        _ = pair.a.readAll(server)
        // Learn the sequence numbers from the next segment B sends.
        XCTAssertEqual(pair.b.send([8], on: client), 1)
        let fromB = tcpSegments(pair.wire.inbox[0]).last!
        pair.run(for: .seconds(1)) { _ in false }
        let expected = fromB.tcp.sequenceNumber + 1  // A's RCV.NXT after that byte.
        let bEndpoint = IPv4Endpoint(address: addressB, port: fromB.tcp.sourcePort)
        let aEndpoint = IPv4Endpoint(address: addressA, port: 80)
        func inject(_ header: TCPHeader) -> [CapturedSegment] {
            pair.wire.inbox[0].append(tcpFrame(from: macB, to: macA, source: bEndpoint, destination: aEndpoint, header))
            pair.a.poll(now: pair.now)
            let replies = tcpSegments(pair.wire.inbox[1])
            pair.wire.inbox[1].removeAll()
            return replies
        }
        // RFC 5961 3.2: an in-window RST that is not exactly RCV.NXT draws a challenge ACK.
        let challenge = inject(TCPHeader(sourcePort: 0, destinationPort: 0, sequenceNumber: expected + 100,
                                         acknowledgmentNumber: SequenceNumber(0), flags: [.rst], window: 0))
        XCTAssertEqual(challenge.count, 1)
        XCTAssertEqual(challenge.first?.tcp.flags, [.ack])
        XCTAssertEqual(challenge.first?.tcp.acknowledgmentNumber, expected)
        XCTAssertEqual(pair.a.state(of: server), .established)
        // RFC 5961 4.2: a SYN on an established connection draws a challenge ACK too.
        let synChallenge = inject(TCPHeader(sourcePort: 0, destinationPort: 0, sequenceNumber: expected + 5000,
                                            acknowledgmentNumber: SequenceNumber(0), flags: [.syn], window: 1000))
        XCTAssertEqual(synChallenge.first?.tcp.flags, [.ack])
        XCTAssertEqual(pair.a.state(of: server), .established)
        // An out-of-window RST is dropped silently.
        XCTAssertTrue(inject(TCPHeader(sourcePort: 0, destinationPort: 0, sequenceNumber: expected + 1_000_000,
                                       acknowledgmentNumber: SequenceNumber(0), flags: [.rst], window: 0)).isEmpty)
        XCTAssertEqual(pair.a.counters.tcpChallengeAcks, 2)
        // The exact sequence number resets the connection.
        XCTAssertTrue(inject(TCPHeader(sourcePort: 0, destinationPort: 0, sequenceNumber: expected,
                                       acknowledgmentNumber: SequenceNumber(0), flags: [.rst], window: 0)).isEmpty)
        XCTAssertEqual(pair.a.state(of: server), .closed)
        XCTAssertEqual(pair.a.error(of: server), .reset)
        XCTAssertEqual(pair.a.counters.tcpResetsReceived, 1)
    }

    func testChallengeAcksAreRateLimited() throws {
        var pair = Pair()
        let (_, client) = try TCPHandshakeTests.connect(&pair)
        XCTAssertEqual(pair.b.send([1], on: client), 1)
        let fromB = tcpSegments(pair.wire.inbox[0]).last!
        pair.run(for: .seconds(1)) { _ in false }
        let bEndpoint = IPv4Endpoint(address: addressB, port: fromB.tcp.sourcePort)
        for offset in 0..<50 {
            pair.wire.inbox[0].append(tcpFrame(
                from: macB, to: macA, source: bEndpoint, destination: IPv4Endpoint(address: addressA, port: 80),
                TCPHeader(sourcePort: 0, destinationPort: 0, sequenceNumber: fromB.tcp.sequenceNumber + 10 + offset,
                          acknowledgmentNumber: SequenceNumber(0), flags: [.rst], window: 0)))
        }
        pair.a.poll(now: pair.now)
        pair.a.poll(now: pair.now)
        XCTAssertEqual(pair.a.counters.tcpChallengeAcks, 10)  // RFC 5961 7: bounded per second.
    }

    func testSynFloodAgainstBoundedBacklogStillAdmitsRealClient() throws {
        var limits = NetworkLimits()
        limits.tcpBacklog = 4
        limits.tcpConnections = 6
        var pair = Pair(limits: limits)
        let listener = try pair.a.listen(port: 80)
        var random = SplitMix64(seed: 42)
        func flood(_ count: Int, _ pair: inout Pair) {
            for _ in 0..<count {
                let spoofed = IPv4Endpoint(address: IPv4Address(10, 0, 0, UInt8(10 + random.next(below: 200))),
                                           port: UInt16(1024 + random.next(below: 60000)))
                pair.wire.inbox[0].append(tcpFrame(
                    from: MACAddress(rawValue: 0x0200_0000_1000 | random.next() & 0xFFF), to: macA, source: spoofed,
                    destination: IPv4Endpoint(address: addressA, port: 80),
                    TCPHeader(sourcePort: 0, destinationPort: 0, sequenceNumber: SequenceNumber(UInt32(truncatingIfNeeded: random.next())),
                              acknowledgmentNumber: SequenceNumber(0), flags: [.syn], window: 65535,
                              maximumSegmentSize: 1460)))
            }
        }
        flood(100, &pair)
        pair.step()
        let client = try pair.b.connect(to: IPv4Endpoint(address: addressA, port: 80))
        var accepted: TCPConnectionHandle? = nil
        let connected = pair.run(for: .seconds(30)) { pair in
            flood(3, &pair)  // The flood goes on while the real client connects.
            if accepted == nil { accepted = pair.a.accept(listener) }
            return accepted != nil && pair.b.state(of: client) == .established
        }
        XCTAssertTrue(connected)
        XCTAssertGreaterThan(pair.a.counters.tcpBacklogFull, 90)
        // The flood filled the backlog; the client got in through a SYN cookie.
        XCTAssertEqual(pair.a.counters.tcpSynCookiesAccepted, 1)
        // SYN-ACKs to the spoofed, unresolvable sources were dropped, not queued without bound.
        XCTAssertGreaterThan(pair.a.counters.arpQueueDrops, 90)
        XCTAssertLessThan(pair.a.counters.arpRequestsSent, 20)
        XCTAssertEqual(pair.b.send([1, 2, 3], on: client), 3)
        var got: [UInt8] = []
        pair.run(for: .seconds(5)) { pair in got += pair.a.readAll(accepted!); return got.count == 3 }
        XCTAssertEqual(got, [1, 2, 3])
    }

    func testBacklogOverflowFallsBackToSynCookiesThatCarryData() throws {
        var limits = NetworkLimits()
        limits.tcpBacklog = 2
        limits.tcpConnections = 3
        var pair = Pair(limits: limits)
        let listener = try pair.a.listen(port: 80)
        let first = try pair.b.connect(to: IPv4Endpoint(address: addressA, port: 80))
        let second = try pair.b.connect(to: IPv4Endpoint(address: addressA, port: 80))
        pair.run(for: .seconds(2)) { pair in pair.b.state(of: second) == .established }
        XCTAssertEqual(pair.b.state(of: first), .established)
        XCTAssertEqual(pair.a.counters.tcpSynCookiesSent, 0)
        // Nothing accepted yet, so the backlog is full: the third handshake uses a cookie.
        let third = try pair.b.connect(to: IPv4Endpoint(address: addressA, port: 80))
        pair.run(for: .seconds(2)) { pair in pair.a.counters.tcpSynCookiesAccepted == 1 }
        XCTAssertEqual(pair.b.state(of: third), .established)
        XCTAssertEqual(pair.a.counters.tcpSynCookiesSent, 1)
        XCTAssertEqual(pair.a.counters.tcpSynCookiesAccepted, 1)
        var handles: [TCPConnectionHandle] = []
        while let handle = pair.a.accept(listener) { handles.append(handle) }
        XCTAssertEqual(handles.count, 3)
        // The cookie connection has no window scaling but still moves bulk data.
        let data = pattern(100_000, seed: 11)
        var offset = 0
        var received: [UInt8] = []
        pair.run(for: .seconds(20)) { pair in
            if offset < data.count { offset += pair.b.send(Array(data[offset..<min(offset + 8192, data.count)]), on: third) }
            received += pair.a.readAll(handles[2])
            return received.count == data.count
        }
        XCTAssertTrue(received == data)
        // With every slot taken, a valid cookie finds no room and is dropped, counted.
        let fourth = try? pair.b.connect(to: IPv4Endpoint(address: addressA, port: 80))
        XCTAssertNil(fourth, "B has no free slot either")
    }

    func testForgedCookieAckIsAnsweredWithReset() throws {
        var pair = Pair()
        _ = try pair.a.listen(port: 80)
        pair.step()
        let forged = tcpFrame(from: macB, to: macA, source: IPv4Endpoint(address: addressB, port: 5555),
                              destination: IPv4Endpoint(address: addressA, port: 80),
                              TCPHeader(sourcePort: 0, destinationPort: 0, sequenceNumber: SequenceNumber(1000),
                                        acknowledgmentNumber: SequenceNumber(0x1234_5678), flags: [.ack], window: 1000))
        pair.wire.inbox[0].append(forged)
        pair.a.poll(now: pair.now)  // The RST waits for ARP; B answers; A sends it.
        pair.b.poll(now: pair.now)
        pair.a.poll(now: pair.now)
        XCTAssertEqual(pair.a.counters.tcpSynCookiesAccepted, 0)
        let replies = tcpSegments(pair.wire.inbox[1])
        XCTAssertEqual(replies.last?.tcp.flags, [.rst])
        XCTAssertEqual(replies.last?.tcp.sequenceNumber, SequenceNumber(0x1234_5678))
    }
}

final class TCPOrphanTests: XCTestCase {
    func testOrphanedFinWait2TimesOut() throws {
        var limits = NetworkLimits()
        limits.tcpConnections = 1
        var pair = Pair(limits: limits)
        let (server, client) = try TCPHandshakeTests.connect(&pair)
        pair.b.close(client)
        pair.run(for: .seconds(1)) { pair in pair.a.state(of: server) == .closeWait }
        // A never closes: B sits in FIN-WAIT-2 holding its only slot.
        XCTAssertThrowsError(try pair.b.connect(to: IPv4Endpoint(address: addressA, port: 80)))
        pair.run(for: .seconds(31)) { _ in false }
        XCTAssertNoThrow(try pair.b.connect(to: IPv4Endpoint(address: addressA, port: 80)))
    }
}

final class TCPHostilePeerTests: XCTestCase {
    /// Random segments (valid checksums; random flags, numbers, windows, options) aimed at a
    /// live connection and at closed ports do not corrupt or stop a transfer (RFC 5961).
    func testBlindInjectionDoesNotDisturbATransfer() throws {
        var pair = Pair(seed: 9)
        let (server, client) = try TCPHandshakeTests.connect(&pair)
        XCTAssertEqual(pair.b.send([0], on: client), 1)
        let clientPort = try XCTUnwrap(tcpSegments(pair.wire.inbox[0]).last?.tcp.sourcePort)
        var received: [UInt8] = []
        pair.run(for: .seconds(1)) { pair in received += pair.a.readAll(server); return false }
        XCTAssertEqual(received, [0])
        var random = SplitMix64(seed: 77)
        let data = pattern(200_000, seed: 4)
        var offset = 0
        var got: [UInt8] = []
        pair.run(for: .seconds(120)) { pair in
            for _ in 0..<3 {
                let livePort = random.next(below: 2) == 0
                let flags = TCPFlags(rawValue: UInt8(truncatingIfNeeded: random.next()) & 0x3F)
                let header = TCPHeader(sourcePort: 0, destinationPort: 0,
                                       sequenceNumber: SequenceNumber(UInt32(truncatingIfNeeded: random.next())),
                                       acknowledgmentNumber: SequenceNumber(UInt32(truncatingIfNeeded: random.next())),
                                       flags: flags, window: UInt16(truncatingIfNeeded: random.next()),
                                       maximumSegmentSize: random.next(below: 2) == 0 ? UInt16(truncatingIfNeeded: random.next()) : nil,
                                       windowScale: random.next(below: 2) == 0 ? UInt8(truncatingIfNeeded: random.next()) : nil)
                let source = IPv4Endpoint(address: addressB, port: livePort ? clientPort : UInt16(1 + random.next(below: 60000)))
                pair.wire.inbox[0].append(tcpFrame(from: macB, to: macA, source: source, destination: IPv4Endpoint(address: addressA, port: 80),
                                                   header, payload: pattern(Int(random.next(below: 100)), seed: random.next())))
            }
            if offset < data.count { offset += pair.a.send(Array(data[offset..<min(offset + 8192, data.count)]), on: server) }
            got += pair.b.readAll(client)
            return got.count == data.count
        }
        XCTAssertTrue(got == data)
        XCTAssertEqual(pair.a.state(of: server), .established)
        XCTAssertGreaterThan(pair.a.counters.tcpResetsSent, 0)
        XCTAssertGreaterThan(pair.a.counters.tcpChallengeAcks + pair.a.counters.tcpOutOfWindow, 0)
    }
}

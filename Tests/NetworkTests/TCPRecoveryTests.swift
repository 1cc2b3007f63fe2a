// TCP loss recovery: RTO backoff and give-up, fast retransmit, zero-window probing.
import Capabilities
import Network
import XCTest

final class TCPRecoveryTests: XCTestCase {
    func testRetransmissionTimerBacksOffExponentiallyThenGivesUp() throws {
        // RFC 6298 2.4's floor of 1 s (the default is 200 ms), so the sequence is the RFC's.
        var limits = NetworkLimits()
        limits.minimumRTO = .seconds(1)
        var pair = Pair(limits: limits)
        let (server, client) = try TCPHandshakeTests.connect(&pair)
        pair.a.interface.lossPerMillion = 1_000_000  // Everything A sends from now on is lost.
        XCTAssertEqual(pair.a.send([1, 2, 3], on: server), 3)
        var firings: [Instant] = []
        var timeouts = pair.a.counters.tcpTimeouts
        while pair.a.state(of: server) == .established, firings.count < 20 {
            guard let deadline = pair.a.nextDeadline else { break }
            pair.now = deadline
            pair.a.poll(now: deadline)
            if pair.a.counters.tcpTimeouts != timeouts {
                timeouts = pair.a.counters.tcpTimeouts
                firings.append(deadline)
            }
        }
        // RFC 6298 5.5: each expiry doubles the RTO; 2.5: capped at 60 s.
        let gaps = zip(firings.dropFirst(), firings).map { $0.0.duration(since: $0.1).milliseconds }
        XCTAssertEqual(gaps.prefix(5), [2000, 4000, 8000, 16000, 32000])
        XCTAssertTrue(gaps.dropFirst(5).allSatisfy { $0 == 60000 }, "\(gaps)")
        XCTAssertEqual(firings.count, limits.maximumRetransmissions)
        XCTAssertEqual(pair.a.state(of: server), .closed)
        XCTAssertEqual(pair.a.error(of: server), .timedOut)
        _ = client
    }

    func testSingleLossIsRepairedByFastRetransmitWithoutTimeout() throws {
        var pair = Pair()
        let (server, client) = try TCPHandshakeTests.connect(&pair)
        // Grow the congestion window first so several segments are in flight.
        let warmUp = pattern(40_000, seed: 5)
        XCTAssertEqual(pair.a.send(Array(warmUp[0..<16384]), on: server), 16384)
        var received: [UInt8] = []
        pair.run { pair in received += pair.b.readAll(client); return received.count == 16384 }
        XCTAssertEqual(pair.a.counters.tcpRetransmissions, 0)
        pair.a.interface.scheduledDrops = [pair.a.interface.transmitted + 1]  // The second segment.
        let start = pair.now
        var offset = 16384
        pair.run(for: .seconds(30)) { pair in
            if offset < warmUp.count { offset += pair.a.send(Array(warmUp[offset...]), on: server) }
            received += pair.b.readAll(client)
            return received.count == warmUp.count
        }
        XCTAssertEqual(pair.a.interface.dropped, 1)
        XCTAssertEqual(pair.a.counters.tcpFastRetransmits, 1)
        XCTAssertEqual(pair.a.counters.tcpTimeouts, 0)
        XCTAssertLessThan(pair.now.duration(since: start), .milliseconds(500))
        XCTAssertTrue(received == warmUp)
    }

    func testTwoLossesInOneWindowAreRepairedByNewRenoPartialAck() throws {
        var pair = Pair()
        let (server, client) = try TCPHandshakeTests.connect(&pair)
        let data = pattern(60_000, seed: 6)
        var received: [UInt8] = []
        XCTAssertEqual(pair.a.send(Array(data[0..<16384]), on: server), 16384)
        pair.run { pair in received += pair.b.readAll(client); return received.count == 16384 }
        // Lose the second and the fifth segment of the next flight.
        let next = pair.a.interface.transmitted
        pair.a.interface.scheduledDrops = [next + 1, next + 4]
        let start = pair.now
        var offset = 16384
        pair.run(for: .seconds(30)) { pair in
            if offset < data.count { offset += pair.a.send(Array(data[offset...]), on: server) }
            received += pair.b.readAll(client)
            return received.count == data.count
        }
        XCTAssertTrue(received == data)
        XCTAssertEqual(pair.a.interface.dropped, 2)
        // RFC 6582: one fast retransmit, the second hole repaired on the partial ACK, no timeout.
        XCTAssertEqual(pair.a.counters.tcpFastRetransmits, 1)
        XCTAssertEqual(pair.a.counters.tcpRetransmissions, 2)
        XCTAssertEqual(pair.a.counters.tcpTimeouts, 0)
        XCTAssertLessThan(pair.now.duration(since: start), .milliseconds(500))
    }

    func testZeroWindowIsProbedAndReopens() throws {
        var limits = NetworkLimits()
        limits.tcpReceiveBufferSize = 4096
        var pair = Pair(limits: limits)
        let (server, client) = try TCPHandshakeTests.connect(&pair)
        let data = pattern(10_000, seed: 8)
        XCTAssertEqual(pair.a.send(data, on: server), 10_000)
        // B does not read: its window closes after 4096 bytes.
        pair.run(for: .seconds(1)) { _ in false }
        XCTAssertEqual(pair.b.readableCount(client), 4096)
        // B's window update will be lost, so only a probe can discover the reopened window.
        pair.b.interface.lossPerMillion = 1_000_000
        var received = pair.b.readAll(client)
        pair.b.interface.lossPerMillion = 0
        let probesBefore = pair.a.counters.tcpZeroWindowProbes
        pair.run(for: .seconds(60)) { pair in
            received += pair.b.readAll(client)
            return received.count == data.count
        }
        XCTAssertTrue(received == data)
        XCTAssertGreaterThan(pair.a.counters.tcpZeroWindowProbes, probesBefore)
        XCTAssertEqual(pair.a.counters.tcpTimeouts, 0, "a zero window is not a loss")
    }
}

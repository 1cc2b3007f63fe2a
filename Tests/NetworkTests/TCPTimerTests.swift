// The RFC 6298 estimator and RFC 6528 initial sequence numbers, checked directly.
import Capabilities
@testable import Network
import XCTest

final class TCPTimerTests: XCTestCase {
    func testMemoryBudgetSizesTCPBuffersWithinBounds() {
        // Half the budget over connections and both directions, a power of two, 16…256 KiB.
        let small = NetworkLimits(memoryBudget: 64 * 1024)
        XCTAssertEqual(small.tcpReceiveBufferSize, 16 * 1024, "the floor wins over a tiny budget")
        XCTAssertEqual(small.tcpSendBufferSize, 16 * 1024)
        XCTAssertEqual(small.tcpConnections, 8)
        let oneMiB = NetworkLimits(memoryBudget: 1 << 20)
        XCTAssertEqual(oneMiB.tcpReceiveBufferSize, 32 * 1024)
        XCTAssertEqual(oneMiB.tcpSendBufferSize, 32 * 1024)
        let host = NetworkLimits(memoryBudget: 16 << 20)
        XCTAssertEqual(host.tcpReceiveBufferSize, 256 * 1024)
        XCTAssertEqual(NetworkLimits(memoryBudget: 1 << 30).tcpSendBufferSize, 256 * 1024, "the ceiling")
        let many = NetworkLimits(memoryBudget: 16 << 20, tcpConnections: 32)
        XCTAssertEqual(many.tcpConnections, 32)
        XCTAssertEqual(many.tcpReceiveBufferSize, 128 * 1024)
        XCTAssertLessThanOrEqual(2 * many.tcpConnections * many.tcpReceiveBufferSize, 16 << 20)
    }

    func testRetransmissionTimeoutFollowsRFC6298() {
        var limits = NetworkLimits()
        limits.minimumRTO = .milliseconds(200)
        limits.ackDelayAllowance = .zero  // RFC 6298's formula exactly.
        var connection = TCPConnection(limits: limits)
        XCTAssertEqual(connection.retransmissionTimeout(limits), .seconds(1), "2.1: initial RTO")
        connection.sampleRoundTrip(.milliseconds(100), limits: limits)
        // 2.2: SRTT = R, RTTVAR = R/2, RTO = SRTT + 4 RTTVAR = 300 ms.
        XCTAssertEqual(connection.smoothedRTT, .milliseconds(100))
        XCTAssertEqual(connection.rttVariance, .milliseconds(50))
        XCTAssertEqual(connection.retransmissionTimeout(limits), .milliseconds(300))
        connection.sampleRoundTrip(.milliseconds(200), limits: limits)
        // 2.3: RTTVAR = 3/4 * 50 + 1/4 * 100 = 62.5; SRTT = 7/8 * 100 + 1/8 * 200 = 112.5.
        XCTAssertEqual(connection.rttVariance, .microseconds(62_500))
        XCTAssertEqual(connection.smoothedRTT, .microseconds(112_500))
        XCTAssertEqual(connection.retransmissionTimeout(limits), .microseconds(362_500))
        // 5.5: each backoff doubles, 2.5: capped at the maximum.
        connection.backoff = 3
        XCTAssertEqual(connection.retransmissionTimeout(limits), .microseconds(2_900_000))
        connection.backoff = 12
        XCTAssertEqual(connection.retransmissionTimeout(limits), .seconds(60))
        // 2.4: with the RFC's floor of one second, a small estimate is raised to it.
        var rfcLimits = NetworkLimits()
        rfcLimits.minimumRTO = .seconds(1)
        var floored = TCPConnection(limits: rfcLimits)
        floored.sampleRoundTrip(.milliseconds(10), limits: rfcLimits)
        XCTAssertEqual(floored.retransmissionTimeout(rfcLimits), .seconds(1))
        // By default, as Linux: SRTT plus at least 250 ms, so a delayed ACK is not a loss.
        var linuxLike = TCPConnection(limits: NetworkLimits())
        linuxLike.sampleRoundTrip(.milliseconds(10), limits: NetworkLimits())
        XCTAssertEqual(linuxLike.retransmissionTimeout(NetworkLimits()), .milliseconds(260))
    }

    func testInitialSequenceNumbersAreKeyedPerConnectionAndAdvanceWithTime() {
        var pair = Pair(seed: 1)
        let other = Pair(seed: 2)
        let local = IPv4Endpoint(address: addressA, port: 80)
        let remote = IPv4Endpoint(address: addressB, port: 50000)
        let first = pair.a.initialSequence(local: local, remote: remote)
        XCTAssertNotEqual(first, pair.a.initialSequence(local: local, remote: IPv4Endpoint(address: addressB, port: 50001)))
        XCTAssertNotEqual(first, other.a.initialSequence(local: local, remote: remote), "keyed from entropy")
        // RFC 6528 3: M is a 4-microsecond timer.
        pair.a.poll(now: pair.now.advanced(by: .milliseconds(4)))
        XCTAssertEqual(pair.a.initialSequence(local: local, remote: remote).distance(from: first), 1000)
    }
}

// ARP: answering, resolving with retries, the bounded pending queue, expiry.
import Capabilities
import Network
import XCTest

let unknownHost = IPv4Address(10, 0, 0, 9)

final class LinkLayerTests: XCTestCase {
    func arpMessages(_ frames: [[UInt8]]) -> [ARPMessage] {
        frames.compactMap { frame in
            guard frame.count >= 42, frame[12] == 0x08, frame[13] == 0x06 else { return nil }
            return frame.withUnsafeBytes { try? ARPMessage(parsing: ARPPacket(unchecked: UnsafeRawBufferPointer(rebasing: $0[14...]))) }
        }
    }

    func sendDatagram(_ host: inout Host, to address: IPv4Address, _ payload: [UInt8] = [1, 2, 3]) throws {
        let socket = try host.stack.bindUDP(port: 4000)
        defer { host.stack.close(socket) }
        try host.stack.send(payload, to: IPv4Endpoint(address: address, port: 9), from: socket)
    }

    func testAnswersRequestsForOurAddressOnly() {
        var host = Host()
        _ = host.sent()  // The gratuitous ARP from start-up.
        let ask = { (target: IPv4Address) in
            arpFrame(ARPMessage(operation: .request, senderHardware: peerMAC, senderProtocol: IPv4Address(10, 0, 0, 7),
                                targetHardware: .zero, targetProtocol: target), from: peerMAC, to: .broadcast)
        }
        host.inject(ask(IPv4Address(10, 0, 0, 99)))
        host.stack.poll(now: host.now)
        XCTAssertTrue(host.sent().isEmpty)
        host.inject(ask(addressA))
        host.stack.poll(now: host.now)
        let reply = host.sent()
        XCTAssertEqual(reply, [[0x02, 0x00, 0x00, 0x00, 0x00, 0xfe, 0x02, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x08, 0x06,
                                0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x0a,
                                0x0a, 0x00, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0xfe, 0x0a, 0x00, 0x00, 0x07]])
        XCTAssertEqual(host.stack.counters.arpRepliesSent, 1)
    }

    func testStartupAnnouncesFixedAddress() {
        var host = Host()
        let announcement = arpMessages(host.sent())
        XCTAssertEqual(announcement.count, 1)
        XCTAssertEqual(announcement.first?.senderProtocol, addressA)
        XCTAssertEqual(announcement.first?.targetProtocol, addressA)
    }

    func testResolutionRetriesThenDropsWhatWaited() throws {
        var host = Host()
        _ = host.sent()
        try sendDatagram(&host, to: unknownHost)
        var requestTimes: [Instant] = []
        let start = host.now
        while host.now < start.advanced(by: .seconds(10)) {
            requestTimes += arpMessages(host.sent()).filter { $0.targetProtocol == unknownHost }.map { _ in host.now }
            guard let deadline = host.stack.nextDeadline else { break }
            host.advance(to: deadline)
        }
        XCTAssertEqual(requestTimes.map { $0.duration(since: start).milliseconds }, [0, 1000, 2000])
        XCTAssertEqual(host.stack.counters.arpResolutionFailures, 1)
        XCTAssertEqual(host.stack.counters.arpQueueDrops, 1)
        XCTAssertNil(host.stack.nextDeadline)
    }

    func testPendingQueueIsBoundedAndFlushesInOrderOnReply() throws {
        var host = Host()
        _ = host.sent()
        for index in 0..<10 { try? sendDatagram(&host, to: unknownHost, [UInt8(index)]) }
        XCTAssertEqual(host.stack.counters.arpQueueDrops, 6, "4 pending slots by default")
        let requests = host.sent()
        XCTAssertEqual(arpMessages(requests).count, 1, "one request, not one per packet")
        host.answerARP(in: requests)
        host.stack.poll(now: host.now)
        let flushed = udpDatagrams(host.sent())
        XCTAssertEqual(flushed.map { $0.payload }, [[0], [1], [2], [3]])
        XCTAssertEqual(flushed.first?.ethernet.destination, peerMAC)
    }

    func testEntriesExpire() throws {
        var limits = NetworkLimits()
        limits.arpEntryLifetime = .seconds(60)
        var host = Host(limits: limits)
        _ = host.sent()
        try sendDatagram(&host, to: unknownHost)
        host.answerARP(in: host.sent())
        host.stack.poll(now: host.now)
        XCTAssertEqual(udpDatagrams(host.sent()).count, 1)
        host.advance(by: .seconds(59))
        try sendDatagram(&host, to: unknownHost)
        XCTAssertEqual(udpDatagrams(host.sent()).count, 1, "still cached: sent at once")
        host.advance(by: .seconds(2))
        try sendDatagram(&host, to: unknownHost)
        let frames = host.sent()
        XCTAssertTrue(udpDatagrams(frames).isEmpty)
        XCTAssertEqual(arpMessages(frames).first?.targetProtocol, unknownHost, "expired: asked again")
    }

    func testEntriesInUseAreRefreshedBeforeTheyExpire() throws {
        var host = Host()
        _ = host.sent()
        try sendDatagram(&host, to: unknownHost)
        host.answerARP(in: host.sent())
        host.stack.poll(now: host.now)
        _ = host.sent()
        host.advance(by: .seconds(58))
        try sendDatagram(&host, to: unknownHost)
        let frames = host.sent()
        let refresh = arpMessages(frames)
        XCTAssertEqual(refresh.count, 1)
        XCTAssertEqual(refresh.first?.targetProtocol, unknownHost)
        XCTAssertEqual(frames.first.map { Array($0[0..<6]) }, [2, 0, 0, 0, 0, 0xFE], "asked directly, not broadcast")
        XCTAssertEqual(udpDatagrams(frames).count, 1, "the datagram still went out")
        host.answerARP(in: frames)
        host.stack.poll(now: host.now)
        host.advance(by: .seconds(5))
        try sendDatagram(&host, to: unknownHost)
        XCTAssertEqual(udpDatagrams(host.sent()).count, 1, "refreshed: no stall at the old expiry")
    }

    func testOffLinkTrafficGoesThroughTheGateway() throws {
        var host = Host()
        _ = host.sent()
        try sendDatagram(&host, to: IPv4Address(8, 8, 8, 8))
        XCTAssertEqual(arpMessages(host.sent()).first?.targetProtocol, IPv4Address(10, 0, 0, 254))
        var noGateway = Host(configuration: NetworkConfiguration(address: .fixed(address: addressA, prefixLength: 24, gateway: nil)))
        XCTAssertThrowsError(try sendDatagram(&noGateway, to: IPv4Address(8, 8, 8, 8)))
        XCTAssertEqual(noGateway.stack.counters.ipv4NoRoute, 1)
    }
}

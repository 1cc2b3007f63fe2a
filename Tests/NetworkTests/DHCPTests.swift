// The DHCP client against a scripted server: the full exchange, renewal, rebinding, NAK, expiry.
import Capabilities
import Network
import XCTest

/// The fields of a client message the tests check, read without the library's parser.
struct ClientMessage {
    var type: UInt8 = 0
    var transactionID: UInt32 = 0
    var clientAddress = IPv4Address.any
    var requested: IPv4Address? = nil
    var server: IPv4Address? = nil
    var destination = IPv4Address.any

    init?(_ datagram: CapturedDatagram) {
        let bytes = datagram.payload
        guard datagram.udp.destinationPort == 67, bytes.count >= 244, bytes[0] == 1 else { return nil }
        func word(_ at: Int) -> UInt32 { bytes[at..<at + 4].reduce(0) { $0 << 8 | UInt32($1) } }
        transactionID = word(4)
        clientAddress = IPv4Address(rawValue: word(12))
        destination = datagram.ip.destination
        var index = 240
        while index + 1 < bytes.count, bytes[index] != 255 {
            let code = bytes[index], length = Int(bytes[index + 1])
            switch code {
            case 53: type = bytes[index + 2]
            case 50: requested = IPv4Address(rawValue: word(index + 2))
            case 54: server = IPv4Address(rawValue: word(index + 2))
            default: break
            }
            index += 2 + length
        }
    }
}

let dhcpServer = IPv4Address(10, 0, 0, 254)
let leasedAddress = IPv4Address(10, 0, 0, 5)

/// A BOOTREPLY with the given type and options (lease 3600 s unless given).
func dhcpReply(type: UInt8, transactionID: UInt32, yourAddress: IPv4Address = leasedAddress,
               lease: UInt32 = 3600, renewal: UInt32? = nil, extra: [UInt8] = []) -> [UInt8] {
    var message = [UInt8](repeating: 0, count: 240)
    message[0] = 2; message[1] = 1; message[2] = 6
    for shift in 0..<4 { message[4 + shift] = UInt8(truncatingIfNeeded: transactionID >> UInt32(24 - 8 * shift)) }
    for shift in 0..<4 { message[16 + shift] = UInt8(truncatingIfNeeded: yourAddress.rawValue >> UInt32(24 - 8 * shift)) }
    for index in 0..<6 { message[28 + index] = macA[index] }
    message[236...239] = [0x63, 0x82, 0x53, 0x63]
    message += [53, 1, type, 54, 4, 10, 0, 0, 254, 1, 4, 255, 255, 255, 0, 3, 4, 10, 0, 0, 254, 6, 8, 10, 0, 0, 53, 8, 8, 8, 8]
    message += [51, 4, UInt8(lease >> 24), UInt8(lease >> 16 & 0xFF), UInt8(lease >> 8 & 0xFF), UInt8(lease & 0xFF)]
    if let renewal {
        message += [58, 4, UInt8(renewal >> 24), UInt8(renewal >> 16 & 0xFF), UInt8(renewal >> 8 & 0xFF), UInt8(renewal & 0xFF)]
    }
    return message + extra + [255]
}

final class DHCPTests: XCTestCase {
    func clientMessages(_ host: inout Host) -> [ClientMessage] {
        let frames = host.sent()
        host.answerARP(in: frames)
        return udpDatagrams(frames).compactMap(ClientMessage.init)
    }

    func serverSends(_ message: [UInt8], to host: inout Host, broadcast: Bool = true) {
        host.inject(udpFrame(to: broadcast ? .broadcast : macA, source: IPv4Endpoint(address: dhcpServer, port: 67),
                             destination: IPv4Endpoint(address: broadcast ? .broadcast : leasedAddress, port: 68),
                             payload: message))
        host.stack.poll(now: host.now)
    }

    /// Runs DISCOVER, OFFER, REQUEST, ACK; returns the transaction id.
    func bind(_ host: inout Host) throws -> UInt32 {
        host.advance(by: .zero)
        let discover = try XCTUnwrap(clientMessages(&host).first)
        XCTAssertEqual(discover.type, 1)
        XCTAssertEqual(discover.destination, .broadcast)
        XCTAssertEqual(discover.clientAddress, .any)
        serverSends(dhcpReply(type: 2, transactionID: discover.transactionID), to: &host)
        let request = try XCTUnwrap(clientMessages(&host).first)
        XCTAssertEqual(request.type, 3)
        XCTAssertEqual(request.transactionID, discover.transactionID)
        XCTAssertEqual(request.requested, leasedAddress)
        XCTAssertEqual(request.server, dhcpServer)
        XCTAssertEqual(request.destination, .broadcast)
        serverSends(dhcpReply(type: 5, transactionID: request.transactionID), to: &host)
        return request.transactionID
    }

    func testFullExchangeConfiguresAddressRouterAndDNS() throws {
        var host = Host(configuration: NetworkConfiguration())
        XCTAssertNil(host.stack.address)
        XCTAssertEqual(host.stack.dhcpState, .initial)
        _ = try bind(&host)
        XCTAssertEqual(host.stack.dhcpState, .bound)
        XCTAssertEqual(host.stack.address, leasedAddress)
        XCTAssertEqual(host.stack.prefixLength, 24)
        XCTAssertEqual(host.stack.gateway, dhcpServer)
        XCTAssertEqual(host.stack.dnsServer, IPv4Address(10, 0, 0, 53))
        XCTAssertEqual(host.stack.counters.dhcpLeases, 1)
        // The new address is announced with a gratuitous ARP.
        let announcement = host.sent().first { $0.count >= 42 && $0[12] == 0x08 && $0[13] == 0x06 }
        XCTAssertEqual(announcement.map { Array($0[28..<32]) }, [10, 0, 0, 5])
        XCTAssertEqual(announcement.map { Array($0[38..<42]) }, [10, 0, 0, 5])
    }

    func testDiscoverIsRetransmittedWithBackoff() throws {
        var host = Host(configuration: NetworkConfiguration())
        host.advance(by: .zero)
        XCTAssertEqual(clientMessages(&host).count, 1)
        var times: [UInt64] = []
        for _ in 0..<5 {
            guard let deadline = host.stack.nextDeadline else { return XCTFail("no retransmission scheduled") }
            let start = host.now
            host.advance(to: deadline)
            XCTAssertEqual(clientMessages(&host).first?.type, 1)
            times.append(deadline.duration(since: start).milliseconds)
        }
        // RFC 2131 4.1: 4, 8, 16, 32, 64 s, each within one second either way.
        for (measured, expected) in zip(times, [4000, 8000, 16000, 32000, 64000] as [UInt64]) {
            XCTAssertTrue(measured >= expected - 1000 && measured <= expected + 1000, "\(times)")
        }
    }

    func testRenewalIsUnicastAtT1AndRebindingBroadcastAtT2() throws {
        var host = Host(configuration: NetworkConfiguration())
        _ = try bind(&host)
        _ = host.sent()
        let bound = host.now
        // T1 defaults to half the 3600 s lease.
        host.advance(to: bound.advanced(by: .seconds(1799)))
        XCTAssertTrue(clientMessages(&host).isEmpty)
        host.advance(to: bound.advanced(by: .seconds(1800)))
        _ = clientMessages(&host)  // The ARP request for the server, answered.
        host.stack.poll(now: host.now)
        let renew = try XCTUnwrap(clientMessages(&host).first)
        XCTAssertEqual(host.stack.dhcpState, .renewing)
        XCTAssertEqual(renew.type, 3)
        XCTAssertEqual(renew.destination, dhcpServer)
        XCTAssertEqual(renew.clientAddress, leasedAddress)
        XCTAssertNil(renew.requested)
        XCTAssertNil(renew.server)
        // No answer: T2 (0.875 of the lease) moves to REBINDING, broadcast.
        var rebind: ClientMessage? = nil
        while host.now < bound.advanced(by: .seconds(3150)) {
            host.advance(to: host.stack.nextDeadline!)
            if let message = clientMessages(&host).first, message.destination == .broadcast { rebind = message }
        }
        XCTAssertEqual(host.stack.dhcpState, .rebinding)
        XCTAssertEqual(rebind?.clientAddress, leasedAddress)
        XCTAssertEqual(host.stack.address, leasedAddress, "the address stays until the lease ends")
        // An ACK in REBINDING renews the lease.
        serverSends(dhcpReply(type: 5, transactionID: rebind!.transactionID, lease: 7200), to: &host)
        XCTAssertEqual(host.stack.dhcpState, .bound)
        XCTAssertEqual(host.stack.counters.dhcpLeases, 2)
    }

    func testLeaseExpiryDropsTheAddressAndRestarts() throws {
        var host = Host(configuration: NetworkConfiguration())
        _ = try bind(&host)
        let bound = host.now
        while host.now < bound.advanced(by: .seconds(3600)) {
            host.advance(to: host.stack.nextDeadline!)
            _ = clientMessages(&host)
        }
        XCTAssertNil(host.stack.address)
        host.stack.poll(now: host.now)
        XCTAssertEqual(host.stack.dhcpState, .selecting)
        XCTAssertEqual(clientMessages(&host).first?.type, 1)
    }

    func testNakDuringRenewalRestartsDiscovery() throws {
        var host = Host(configuration: NetworkConfiguration())
        _ = try bind(&host)
        host.advance(by: .seconds(1800))
        _ = clientMessages(&host)
        host.stack.poll(now: host.now)
        let renew = try XCTUnwrap(clientMessages(&host).first)
        serverSends(dhcpReply(type: 6, transactionID: renew.transactionID), to: &host, broadcast: true)
        XCTAssertNil(host.stack.address)
        host.stack.poll(now: host.now)
        XCTAssertEqual(clientMessages(&host).first?.type, 1, "DISCOVER again")
    }

    func testRepliesForOtherTransactionsOrMalformedOptionsAreIgnored() throws {
        var host = Host(configuration: NetworkConfiguration())
        host.advance(by: .zero)
        let discover = try XCTUnwrap(clientMessages(&host).first)
        serverSends(dhcpReply(type: 2, transactionID: discover.transactionID &+ 1), to: &host)
        XCTAssertEqual(host.stack.dhcpState, .selecting)
        // An option whose length runs past the end of the message.
        var broken = dhcpReply(type: 2, transactionID: discover.transactionID)
        broken.removeLast()
        broken += [6, 200, 1, 2]
        serverSends(broken, to: &host)
        XCTAssertEqual(host.stack.dhcpState, .selecting)
        XCTAssertEqual(host.stack.counters.dhcpMalformed, 1)
    }
}

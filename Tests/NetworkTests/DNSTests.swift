// The DNS stub resolver against a scripted server: compression, loops, truncation, ids, retries.
import Capabilities
import Network
import XCTest

let dnsServerAddress = IPv4Address(10, 0, 0, 53)

final class DNSTests: XCTestCase {
    func makeHost() -> Host {
        Host(configuration: NetworkConfiguration(address: .fixed(address: addressA, prefixLength: 24, gateway: nil),
                                                 dnsServer: dnsServerAddress))
    }

    /// Starts a lookup and returns the query datagram the server sees.
    func startQuery(_ host: inout Host, name: String) throws -> (DNSQuery, CapturedDatagram) {
        let query = try Array(name.utf8).withUnsafeBytes { (bytes) throws(DNSError) -> DNSQuery in try host.stack.resolve(bytes) }
        host.answerARP(in: host.sent())
        host.stack.poll(now: host.now)
        return (query, try XCTUnwrap(udpDatagrams(host.sent()).last))
    }

    func respond(_ host: inout Host, to query: CapturedDatagram, _ message: [UInt8], from port: UInt16 = 53,
                 source: IPv4Address = dnsServerAddress) {
        host.inject(udpFrame(source: IPv4Endpoint(address: source, port: port),
                             destination: IPv4Endpoint(address: addressA, port: query.udp.sourcePort), payload: message))
        host.stack.poll(now: host.now)
    }

    /// The response header for `query`'s id with `answers` answers and the question echoed.
    func header(_ query: CapturedDatagram, answers: UInt8, flags: [UInt8] = [0x81, 0x80]) -> [UInt8] {
        Array(query.payload[0..<2]) + flags + [0, 1, 0, answers, 0, 0, 0, 0] + Array(query.payload[12...])
    }

    func testQueryIsWellFormed() throws {
        var host = makeHost()
        let (_, query) = try startQuery(&host, name: "example.com")
        XCTAssertEqual(query.ip.destination, dnsServerAddress)
        XCTAssertEqual(query.udp.destinationPort, 53)
        XCTAssertGreaterThanOrEqual(query.udp.sourcePort, 49152)
        XCTAssertEqual(Array(query.payload[2...]),
                       [0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 7] + Array("example".utf8) + [3] + Array("com".utf8) + [0, 0, 1, 0, 1])
    }

    func testAnswerWithCompressionPointerResolves() throws {
        var host = makeHost()
        let (lookup, query) = try startQuery(&host, name: "example.com")
        XCTAssertEqual(host.stack.result(of: lookup), .pending)
        respond(&host, to: query, header(query, answers: 1) + [0xC0, 0x0C, 0, 1, 0, 1, 0, 0, 0x0E, 0x10, 0, 4, 93, 184, 216, 34])
        XCTAssertEqual(host.stack.result(of: lookup), .resolved(IPv4Address(93, 184, 216, 34)))
    }

    func testCNAMEChainWithPointersIntoTheQuestionResolves() throws {
        var host = makeHost()
        let (lookup, query) = try startQuery(&host, name: "WWW.Example.com")
        // www.example.com CNAME example.com (a pointer to offset 16); example.com A 10.1.2.3.
        let answers: [UInt8] = [0xC0, 0x0C, 0, 5, 0, 1, 0, 0, 0, 60, 0, 2, 0xC0, 0x10,
                                0xC0, 0x10, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 10, 1, 2, 3]
        // The server answers in lower case: names compare without regard to ASCII case.
        var response = header(query, answers: 2) + answers
        for index in 13..<16 { response[index] |= 0x20 }
        respond(&host, to: query, response)
        XCTAssertEqual(host.stack.result(of: lookup), .resolved(IPv4Address(10, 1, 2, 3)))
    }

    func testPointerLoopsAndForwardPointersAreRejected() throws {
        var host = makeHost()
        let (lookup, query) = try startQuery(&host, name: "example.com")
        let answerOffset = UInt8(query.payload.count)
        // A pointer to itself, then two pointers pointing at each other.
        respond(&host, to: query, header(query, answers: 1) + [0xC0, answerOffset, 0, 1, 0, 1, 0, 0, 0, 1, 0, 4, 1, 1, 1, 1])
        respond(&host, to: query, header(query, answers: 1)
                    + [0xC0, answerOffset + 2, 0xC0, answerOffset, 0, 1, 0, 1, 0, 0, 0, 1, 0, 4, 1, 1, 1, 1])
        // A pointer past the end of the message.
        respond(&host, to: query, header(query, answers: 1) + [0xC0, 0xFF, 0, 1, 0, 1, 0, 0, 0, 1, 0, 4, 1, 1, 1, 1])
        XCTAssertEqual(host.stack.counters.dnsMalformed, 3)
        XCTAssertEqual(host.stack.result(of: lookup), .pending, "bad answers do not end the lookup")
        respond(&host, to: query, header(query, answers: 1) + [0xC0, 0x0C, 0, 1, 0, 1, 0, 0, 0, 1, 0, 4, 9, 9, 9, 9])
        XCTAssertEqual(host.stack.result(of: lookup), .resolved(IPv4Address(9, 9, 9, 9)))
    }

    func testTruncatedAnswersAreCountedAndIgnored() throws {
        var host = makeHost()
        let (lookup, query) = try startQuery(&host, name: "example.com")
        let full = header(query, answers: 1) + [0xC0, 0x0C, 0, 1, 0, 1, 0, 0, 0x0E, 0x10, 0, 4, 93, 184, 216, 34]
        for cut in [5, 20, full.count - 10, full.count - 2] {
            respond(&host, to: query, Array(full[0..<cut]))
        }
        XCTAssertEqual(host.stack.counters.dnsMalformed, 3)
        XCTAssertEqual(host.stack.counters.dnsMismatched, 1, "5 bytes do not even hold an id")
        XCTAssertEqual(host.stack.result(of: lookup), .pending)
        // The TC bit with no A record is a failure (TCP fallback is not implemented).
        respond(&host, to: query, header(query, answers: 0, flags: [0x83, 0x80]))
        XCTAssertEqual(host.stack.result(of: lookup), .failed(.truncated))
    }

    func testMismatchedIdOrSourceIsIgnored() throws {
        var host = makeHost()
        let (lookup, query) = try startQuery(&host, name: "example.com")
        var wrongID = header(query, answers: 1) + [0xC0, 0x0C, 0, 1, 0, 1, 0, 0, 0, 1, 0, 4, 6, 6, 6, 6]
        wrongID[1] ^= 0xFF
        respond(&host, to: query, wrongID)
        respond(&host, to: query, header(query, answers: 1) + [0xC0, 0x0C, 0, 1, 0, 1, 0, 0, 0, 1, 0, 4, 6, 6, 6, 6],
                source: IPv4Address(10, 0, 0, 66))
        XCTAssertEqual(host.stack.counters.dnsMismatched, 2)
        XCTAssertEqual(host.stack.result(of: lookup), .pending)
        respond(&host, to: query, header(query, answers: 0, flags: [0x81, 0x83]))
        XCTAssertEqual(host.stack.result(of: lookup), .failed(.nameNotFound))
    }

    func testRetriesUseFreshIdsAndPortsThenTimeOut() throws {
        var host = makeHost()
        let (lookup, first) = try startQuery(&host, name: "example.com")
        var queries = [first]
        while host.stack.result(of: lookup) == .pending, let deadline = host.stack.nextDeadline {
            host.advance(to: deadline)
            queries += udpDatagrams(host.sent())
        }
        XCTAssertEqual(queries.count, NetworkLimits().dnsAttempts)
        XCTAssertEqual(Set(queries.map { $0.udp.sourcePort }).count, queries.count)
        XCTAssertEqual(Set(queries.map { Array($0.payload[0..<2]) }).count, queries.count)
        XCTAssertEqual(host.stack.result(of: lookup), .failed(.timedOut))
        // A late answer to the first attempt changes nothing and reaches no socket.
        respond(&host, to: first, header(first, answers: 1) + [0xC0, 0x0C, 0, 1, 0, 1, 0, 0, 0, 1, 0, 4, 6, 6, 6, 6])
        XCTAssertEqual(host.stack.result(of: lookup), .failed(.timedOut))
    }

    func testInvalidNamesAreRefused() {
        var host = makeHost()
        for name in ["", "a..b", String(repeating: "x", count: 64) + ".com", String(repeating: "abc.", count: 70)] {
            let outcome = Array(name.utf8).withUnsafeBytes { bytes -> DNSError? in
                do { _ = try host.stack.resolve(bytes); return nil } catch { return error as? DNSError }
            }
            XCTAssertEqual(outcome, .invalidName, name)
        }
    }
}

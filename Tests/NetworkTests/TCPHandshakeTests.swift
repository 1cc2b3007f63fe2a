// TCP between two stacks on a perfect link: handshakes both ways, data, orderly close.
import Capabilities
import Network
import XCTest

final class TCPHandshakeTests: XCTestCase {
    /// Connects B (client) to A (server on port 80); returns (server side, client side).
    static func connect(_ pair: inout Pair, port: UInt16 = 80) throws -> (TCPConnectionHandle, TCPConnectionHandle) {
        let listener = try pair.a.listen(port: port)
        let client = try pair.b.connect(to: IPv4Endpoint(address: addressA, port: port))
        var server: TCPConnectionHandle? = nil
        let done = pair.run(for: .seconds(10)) { pair in
            if server == nil { server = pair.a.accept(listener) }
            return server != nil && pair.b.state(of: client) == .established
        }
        XCTAssertTrue(done)
        return (try XCTUnwrap(server), client)
    }

    func testActiveAndPassiveOpenExchangeDataAndClose() throws {
        var pair = Pair()
        let (server, client) = try Self.connect(&pair)
        XCTAssertEqual(pair.a.state(of: server), .established)
        XCTAssertEqual(pair.b.send(Array("GET / HTTP/1.0\r\n\r\n".utf8), on: client), 18)
        var request: [UInt8] = []
        pair.run { pair in request += pair.a.readAll(server); return request.count == 18 }
        XCTAssertEqual(String(decoding: request, as: UTF8.self), "GET / HTTP/1.0\r\n\r\n")
        XCTAssertEqual(pair.a.send(Array("HTTP/1.0 200 OK\r\n\r\nhello".utf8), on: server), 24)
        pair.a.close(server)
        var response: [UInt8] = []
        pair.run { pair in response += pair.b.readAll(client); return pair.b.hasReceivedEnd(client) }
        XCTAssertEqual(String(decoding: response, as: UTF8.self), "HTTP/1.0 200 OK\r\n\r\nhello")
        XCTAssertEqual(pair.b.state(of: client), .closeWait)
        pair.b.close(client)
        pair.run(for: .seconds(5)) { _ in false }
        XCTAssertEqual(pair.b.counters.tcpConnectionsEstablished, 1)
        XCTAssertEqual(pair.a.counters.tcpConnectionsEstablished, 1)
        XCTAssertEqual(pair.a.counters.tcpResetsSent, 0)
        XCTAssertEqual(pair.b.counters.tcpResetsSent, 0)
        XCTAssertEqual(pair.a.counters.tcpRetransmissions, 0)
    }

    func testConnectionToClosedPortIsRefused() throws {
        var pair = Pair()
        let client = try pair.b.connect(to: IPv4Endpoint(address: addressA, port: 81))
        pair.run(for: .seconds(5)) { pair in pair.b.state(of: client) == .closed }
        XCTAssertEqual(pair.b.state(of: client), .closed)
        XCTAssertEqual(pair.b.error(of: client), .refused)
        XCTAssertEqual(pair.a.counters.tcpResetsSent, 1)
    }
}

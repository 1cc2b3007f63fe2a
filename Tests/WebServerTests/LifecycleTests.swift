// Connection endings: the client resets mid-stream, half-closes after a request, the server stops.
import Capabilities
import HTTP
import Network
import WebServer
import XCTest

final class LifecycleTests: XCTestCase {
    func testClientResetDuringAStreamFreesTheSlot() throws {
        let harness = try Harness()
        let client = try harness.connect()
        client.queue(Array("GET /bytes/50000000 HTTP/1.1\r\nHost: seal\r\n\r\n"))
        XCTAssertTrue(harness.run(for: .seconds(5)) {
            client.pump(&harness.clientStack)
            return client.received.count > 1_000_000
        })
        harness.clientStack.abort(client.handle)
        XCTAssertTrue(harness.run(for: .seconds(1)) { harness.server.openConnections == 0 })
        XCTAssertEqual(harness.server.counters.streamsCompleted, 0)
        // The slot serves the next client.
        let responses = try harness.exchange(Array("GET / HTTP/1.1\r\nHost: seal\r\n\r\n"), expecting: 1)
        XCTAssertEqual(responses.first?.status, 200)
    }

    func testHalfCloseAfterTheRequestStillGetsTheResponse() throws {
        let harness = try Harness()
        let client = try harness.connect()
        client.queue(Array("GET /bytes/300000 HTTP/1.1\r\nHost: seal\r\n\r\n"))
        client.pump(&harness.clientStack)
        harness.clientStack.close(client.handle)  // FIN after the request; the client keeps no handle.
        XCTAssertTrue(harness.run(for: .seconds(10)) { harness.server.openConnections == 0 && harness.wire.isIdle })
        XCTAssertEqual(harness.server.counters.streamsCompleted, 1)
        XCTAssertEqual(harness.server.counters.connectionsClosed, 1)
    }

    func testCloseStopsListeningAndResetsConnections() throws {
        let harness = try Harness()
        let client = try harness.connect()
        XCTAssertTrue(harness.run(for: .seconds(1)) { harness.server.openConnections == 1 })
        harness.server.close(stack: &harness.serverStack)
        XCTAssertEqual(harness.server.openConnections, 0)
        harness.run(for: .seconds(1)) { harness.clientStack.state(of: client.handle) == .closed }
        XCTAssertEqual(harness.clientStack.error(of: client.handle), .reset)
        let refused = try harness.clientStack.connect(to: IPv4Endpoint(address: serverAddress, port: 80))
        harness.run(for: .seconds(5)) { harness.clientStack.state(of: refused) == .closed }
        XCTAssertEqual(harness.clientStack.error(of: refused), .refused)
    }
}

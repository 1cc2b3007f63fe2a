// GET, HEAD, 404, 431, pipelining and keep-alive through the server and two real stacks.
import Capabilities
import HTTP
import Network
import WebServer
import XCTest

final class RequestTests: XCTestCase {
    func testGet() throws {
        let harness = try Harness()
        let responses = try harness.exchange(Array("GET / HTTP/1.1\r\nHost: seal\r\n\r\n"), expecting: 1)
        XCTAssertEqual(responses.count, 1)
        XCTAssertEqual(responses.first?.status, 200)
        XCTAssertEqual(responses.first?.header("Content-Type"), "text/plain")
        XCTAssertEqual(responses.first?.text, "hello\n")
        XCTAssertEqual(harness.server.counters.connectionsAccepted, 1)
    }

    func testHeadSendsTheHeadOnly() throws {
        let harness = try Harness()
        // RFC 9110 §9.3.2: the same fields as GET, no content; for a fixed and a streamed response.
        let client = try harness.connect()
        client.queue(Array("HEAD / HTTP/1.1\r\nHost: seal\r\n\r\nHEAD /bytes/1000 HTTP/1.1\r\nHost: seal\r\n\r\n"
                           + "GET / HTTP/1.1\r\nHost: seal\r\nConnection: close\r\n\r\n"))
        harness.run { client.pump(&harness.clientStack); return harness.clientStack.hasReceivedEnd(client.handle) }
        let responses = parseResponses(client.received, heads: [0, 1])
        XCTAssertEqual(responses.map(\.status), [200, 200, 200])
        XCTAssertEqual(responses.map { $0.header("Content-Length") }, ["6", "1000", "6"])
        XCTAssertEqual(responses.map(\.text), ["", "", "hello\n"])
        XCTAssertEqual(responses.last?.header("Connection"), "close")
        // Nothing but the three heads and one body arrived: the HEAD answers carried no content.
        let parts = String(decoding: client.received, as: UTF8.self).components(separatedBy: "\r\n\r\n")
        XCTAssertEqual(parts.count, 4)
        XCTAssertEqual(parts.last, "hello\n")
    }

    func testUnknownPathIs404() throws {
        let harness = try Harness()
        let responses = try harness.exchange(Array("GET /missing HTTP/1.1\r\nHost: seal\r\n\r\n"), expecting: 1)
        XCTAssertEqual(responses.first?.status, 404)
        XCTAssertEqual(responses.first?.text, "Not Found\n")
    }

    func testOversizedHeaderIs431AndCloses() throws {
        var limits = HTTPServerLimits()
        limits.http.headerSectionLength = 1024
        let harness = try Harness(serverLimits: limits)
        let client = try harness.connect()
        client.queue(Array("GET / HTTP/1.1\r\nHost: seal\r\nX-Filler: \(String(repeating: "a", count: 2000))\r\n\r\n"))
        let closed = harness.run {
            client.pump(&harness.clientStack)
            return harness.clientStack.hasReceivedEnd(client.handle)
        }
        XCTAssertTrue(closed, "the server did not close after 431")
        let responses = parseResponses(client.received)
        XCTAssertEqual(responses.map(\.status), [431])
        XCTAssertEqual(responses.first?.header("Connection"), "close")
        XCTAssertTrue(harness.run(for: .seconds(5)) { harness.server.openConnections == 0 })
    }

    func testPipelinedRequestsAreAnsweredInOrder() throws {
        let harness = try Harness()
        // RFC 9112 §9.3.2: one send holding four requests, a streamed one among them.
        let request = "GET / HTTP/1.1\r\nHost: seal\r\n\r\n"
            + "GET /bytes/70000 HTTP/1.1\r\nHost: seal\r\n\r\n"
            + "GET /nothing HTTP/1.1\r\nHost: seal\r\n\r\n"
            + "POST /echo HTTP/1.1\r\nHost: seal\r\nContent-Length: 5\r\n\r\nabcde"
        let responses = try harness.exchange(Array(request), expecting: 4)
        XCTAssertEqual(responses.map(\.status), [200, 200, 404, 200])
        XCTAssertEqual(responses.count, 4)
        guard responses.count == 4 else { return }
        XCTAssertEqual(responses[0].text, "hello\n")
        XCTAssertEqual(responses[1].body.count, 70000)
        XCTAssertTrue(responses[1].body.enumerated().allSatisfy { $0.element == UInt8($0.offset % 251) })
        XCTAssertEqual(responses[3].text, "abcde")
        XCTAssertEqual(harness.server.counters.streamsCompleted, 1)
    }

    func testKeepAliveAcrossManyRequests() throws {
        let harness = try Harness()
        let client = try harness.connect()
        for round in 0..<200 {
            let path = round % 3 == 2 ? "/bytes/\(round * 37)" : "/"
            client.queue(Array("GET \(path) HTTP/1.1\r\nHost: seal\r\n\r\n"))
            let answered = harness.run(for: .seconds(10)) {
                client.pump(&harness.clientStack)
                return parseResponses(client.received).count == round + 1
            }
            XCTAssertTrue(answered, "request \(round) was not answered")
            if !answered { return }
        }
        let responses = parseResponses(client.received)
        XCTAssertEqual(responses.count, 200)
        XCTAssertTrue(responses.allSatisfy { $0.status == 200 && $0.header("Connection") == nil })
        XCTAssertEqual(responses[5].body.count, 5 * 37)
        XCTAssertEqual(harness.server.counters.connectionsAccepted, 1)
        XCTAssertEqual(harness.clientStack.state(of: client.handle), .established)
    }

    func testHTTP10ClosesUnlessAskedToKeepAlive() throws {
        let harness = try Harness()
        let client = try harness.connect()
        client.queue(Array("GET /bytes/10 HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /bytes/3 HTTP/1.0\r\n\r\n"))
        let closed = harness.run {
            client.pump(&harness.clientStack)
            return harness.clientStack.hasReceivedEnd(client.handle)
        }
        XCTAssertTrue(closed)
        let responses = parseResponses(client.received)
        XCTAssertEqual(responses.map(\.body.count), [10, 3])
        XCTAssertEqual(responses.map { $0.header("Connection") }, ["keep-alive", "close"])
    }
}

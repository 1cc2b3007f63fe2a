// Large bodies both ways: a 5 MiB POST echoed back, a 20 MiB generated response.
import Capabilities
import HTTP
import Network
import WebServer
import XCTest

final class TransferTests: XCTestCase {
    func testEchoOfFiveMebibytes() throws {
        var limits = HTTPServerLimits()
        limits.connections = 2
        limits.http.maximumBodyLength = 6 << 20
        let harness = try Harness(serverLimits: limits)
        var random = SplitMix64(seed: 5)
        let body = (0..<(5 << 20)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        let client = try harness.connect()
        client.queue(Array("POST /echo HTTP/1.1\r\nHost: seal\r\nContent-Length: \(body.count)\r\n\r\n"))
        client.queue(body)
        let start = harness.now
        let done = harness.run(for: .seconds(600)) {
            client.pump(&harness.clientStack)
            return client.received.count >= body.count && parseResponses(client.received).count == 1
        }
        XCTAssertTrue(done, "received \(client.received.count) of \(body.count)")
        let responses = parseResponses(client.received)
        XCTAssertEqual(responses.count, 1)
        XCTAssertEqual(responses.first?.status, 200)
        XCTAssertEqual(responses.first?.header("Content-Length"), "\(body.count)")
        XCTAssertTrue(responses.first?.body == body, "the echo differs")
        XCTAssertEqual(harness.clientStack.state(of: client.handle), .established, "keep-alive")
        print("5 MiB echo: \(harness.now.duration(since: start).milliseconds) ms simulated")
    }

    func testTwentyMebibyteGeneratedResponse() throws {
        let harness = try Harness()
        let count = 20 << 20
        let client = try harness.connect()
        client.queue(Array("GET /bytes/\(count) HTTP/1.1\r\nHost: seal\r\n\r\n"))
        let start = harness.now
        var headLength: Int? = nil
        let done = harness.run(for: .seconds(600)) {
            client.pump(&harness.clientStack)
            if headLength == nil, let end = find([13, 10, 13, 10], in: client.received, from: 0) { headLength = end + 4 }
            guard let headLength else { return false }
            return client.received.count >= headLength + count
        }
        XCTAssertTrue(done, "received \(client.received.count) bytes")
        guard let headLength else { return }
        let head = String(decoding: client.received[..<headLength], as: UTF8.self)
        XCTAssertTrue(head.hasPrefix("HTTP/1.1 200 OK\r\n"), head)
        XCTAssertTrue(head.contains("Content-Length: \(count)\r\n"), head)
        XCTAssertTrue(head.contains("Content-Type: application/octet-stream\r\n"), head)
        XCTAssertEqual(client.received.count, headLength + count)
        var value = 0
        var mismatch: Int? = nil
        for index in headLength..<client.received.count {
            if client.received[index] != UInt8(value) { mismatch = index - headLength; break }
            value = value == 250 ? 0 : value + 1
        }
        XCTAssertNil(mismatch, "content differs at byte \(mismatch ?? 0)")
        XCTAssertEqual(harness.server.counters.streamsCompleted, 1)
        // The connection stays usable after the stream.
        client.queue(Array("GET / HTTP/1.1\r\nHost: seal\r\n\r\n"))
        let before = client.received.count
        XCTAssertTrue(harness.run(for: .seconds(5)) {
            client.pump(&harness.clientStack)
            return client.received.count > before && parseResponses(Array(client.received[before...])).count == 1
        })
        print("20 MiB stream: \(harness.now.duration(since: start).milliseconds) ms simulated")
    }
}

final class LossyLinkTests: XCTestCase {
    /// Pipelined requests, a 2 MiB stream and a 256 KiB echo over a link that loses 3 % of
    /// frames and duplicates and reorders others: TCP repairs it, the server never notices.
    func testRequestsOverALossyLink() throws {
        var limits = HTTPServerLimits()
        limits.http.maximumBodyLength = 1 << 20
        let harness = try Harness(serverLimits: limits)
        harness.setLoss(perMillion: 30_000, duplication: 10_000, reordering: 20_000)
        var random = SplitMix64(seed: 9)
        let upload = (0..<(256 << 10)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        let client = try harness.connect()
        client.queue(Array("GET /bytes/2097152 HTTP/1.1\r\nHost: seal\r\n\r\nGET / HTTP/1.1\r\nHost: seal\r\n\r\n"
                           + "POST /echo HTTP/1.1\r\nHost: seal\r\nContent-Length: \(upload.count)\r\n\r\n"))
        client.queue(upload)
        var responses: [TestResponse] = []
        let done = harness.run(for: .seconds(600)) {
            client.pump(&harness.clientStack)
            guard client.received.count >= (2 << 20) + upload.count else { return false }
            responses = parseResponses(client.received)
            return responses.count == 3
        }
        XCTAssertTrue(done, "received \(client.received.count) bytes")
        XCTAssertEqual(responses.map(\.status), [200, 200, 200])
        guard responses.count == 3 else { return }
        XCTAssertTrue(responses[0].body == (0..<(2 << 20)).map { UInt8($0 % 251) }, "the stream was corrupted")
        XCTAssertEqual(responses[1].text, "hello\n")
        XCTAssertTrue(responses[2].body == upload, "the echo was corrupted")
        XCTAssertGreaterThan(harness.serverStack.interface.dropped + harness.clientStack.interface.dropped, 10)
    }
}

// The fixed pool under pressure: slowloris clients cannot starve a normal one; the limit holds.
import Capabilities
import HTTP
import Network
import WebServer
import XCTest

final class ConnectionLimitTests: XCTestCase {
    /// Fifty clients each trickle a request that never ends, one byte every half second, and
    /// (like the slowloris tool) reopen a dropped connection on their next tick; a normal
    /// client arriving among them must be answered well before HTTPConnection's 20 s request
    /// timeout would free a slot.
    func testFiftySlowClientsDoNotStarveANormalOne() throws {
        var limits = HTTPServerLimits()
        limits.connections = 8
        let harness = try Harness(serverLimits: limits,
                                  serverNetwork: Harness.networkLimits(connections: 16, buffer: 16 * 1024),
                                  clientNetwork: Harness.networkLimits(connections: 80, buffer: 16 * 1024))
        let endpoint = IPv4Endpoint(address: serverAddress, port: 80)
        var attackers = try (0..<50).map { _ in try harness.clientStack.connect(to: endpoint) }
        var sentBytes = [Int](repeating: 0, count: 50)
        var reconnects = 0
        let prefix = Array("GET / HTTP/1.1\r\nHost: seal\r\nX-Slow: ")
        var nextTrickle = harness.now
        func attack() {
            let trickle = harness.now >= nextTrickle
            if trickle { nextTrickle = harness.now.advanced(by: .milliseconds(500)) }
            for index in attackers.indices {
                let handle = attackers[index]
                let state = harness.clientStack.state(of: handle)
                guard trickle else { continue }
                if state == .closed || harness.clientStack.hasReceivedEnd(handle) {
                    harness.clientStack.abort(handle)
                    if let fresh = try? harness.clientStack.connect(to: endpoint) {
                        attackers[index] = fresh
                        sentBytes[index] = 0
                        reconnects += 1
                    }
                    continue
                }
                guard state == .established else { continue }
                let byte = sentBytes[index] < prefix.count ? prefix[sentBytes[index]] : UInt8(ascii: "a")
                if harness.clientStack.send([byte], on: handle) == 1 { sentBytes[index] += 1 }
                _ = harness.clientStack.readAll(handle)
            }
        }
        // Let the attack fill every slot.
        harness.run(for: .seconds(3)) { attack(); return false }
        XCTAssertEqual(harness.server.openConnections, 8)
        let client = try harness.clientStack.connect(to: endpoint)
        let start = harness.now
        var received: [UInt8] = []
        var requested = false
        let served = harness.run(for: .seconds(10)) {
            attack()
            if !requested && harness.clientStack.state(of: client) == .established {
                requested = harness.clientStack.send(Array("GET / HTTP/1.1\r\nHost: seal\r\n\r\n"), on: client) > 0
            }
            received += harness.clientStack.readAll(client)
            return parseResponses(received).count == 1
        }
        XCTAssertTrue(served, "the normal client was not served; state \(harness.clientStack.state(of: client))")
        XCTAssertEqual(parseResponses(received).first?.text, "hello\n")
        XCTAssertLessThanOrEqual(harness.peakConnections, 8)
        XCTAssertGreaterThan(harness.server.counters.connectionsEvicted, 0)
        print("normal client served after \(harness.now.duration(since: start).milliseconds) ms among 50 slow ones; "
              + "\(harness.server.counters.connectionsEvicted) evictions, \(reconnects) reconnects")
    }

    /// Ten idle connections on a four-slot server: never more than four are held, the six
    /// oldest are reset, and the four newest are still served.
    func testConnectionLimitIsRespected() throws {
        var limits = HTTPServerLimits()
        limits.connections = 4
        let harness = try Harness(serverLimits: limits,
                                  serverNetwork: Harness.networkLimits(connections: 8, buffer: 16 * 1024))
        var clients: [TestClient] = []
        for _ in 0..<10 {
            clients.append(try harness.connect())
            harness.run(for: .milliseconds(50)) { false }
            XCTAssertLessThanOrEqual(harness.server.openConnections, 4)
        }
        XCTAssertLessThanOrEqual(harness.peakConnections, 4)
        XCTAssertEqual(harness.server.counters.connectionsAccepted, 10)
        XCTAssertEqual(harness.server.counters.connectionsEvicted, 6)
        for client in clients[..<6] {
            XCTAssertEqual(harness.clientStack.state(of: client.handle), .closed)
            XCTAssertEqual(harness.clientStack.error(of: client.handle), .reset)
        }
        for client in clients[6...] {
            client.queue(Array("GET / HTTP/1.1\r\nHost: seal\r\n\r\n"))
        }
        let served = harness.run(for: .seconds(5)) {
            clients[6...].allSatisfy { client in
                client.pump(&harness.clientStack)
                return parseResponses(client.received).count == 1
            }
        }
        XCTAssertTrue(served, "the four newest connections were not all served")
    }

    /// Twelve clients whose handshakes complete in the same instant on a four-slot server, each
    /// with its request already sent: none is evicted by another accepted in the same poll
    /// (they wait in the backlog instead), so every one is answered.
    func testBurstLargerThanThePoolIsServedNotEvicted() throws {
        var limits = HTTPServerLimits()
        limits.connections = 4
        let harness = try Harness(serverLimits: limits,
                                  serverNetwork: Harness.networkLimits(connections: 16, buffer: 16 * 1024),
                                  clientNetwork: Harness.networkLimits(connections: 16, buffer: 16 * 1024))
        var clients: [TestClient] = []
        for _ in 0..<12 {
            let client = try harness.connect(waitForEstablished: false)
            client.queue(Array("GET / HTTP/1.1\r\nHost: seal\r\nConnection: close\r\n\r\n"))
            clients.append(client)
        }
        let served = harness.run(for: .seconds(10)) {
            clients.allSatisfy { client in
                client.pump(&harness.clientStack)
                return parseResponses(client.received).count == 1
            }
        }
        XCTAssertTrue(served, "served: \(clients.map { parseResponses($0.received).count })")
        XCTAssertEqual(harness.server.counters.connectionsEvicted, 0)
        XCTAssertLessThanOrEqual(harness.peakConnections, 4)
    }

    /// Without pressure a slow client is cut off by the request timeout: 408, then close.
    func testSlowRequestGets408() throws {
        let harness = try Harness()
        let client = try harness.connect()
        client.queue(Array("GET / HTTP/1.1\r\nHost"))
        let closed = harness.run(for: .seconds(60)) {
            client.pump(&harness.clientStack)
            return harness.clientStack.hasReceivedEnd(client.handle)
        }
        XCTAssertTrue(closed)
        XCTAssertEqual(parseResponses(client.received).map(\.status), [408])
        XCTAssertEqual(harness.server.openConnections, 0)
    }

    /// A client that stops reading is abandoned after the send timeout, not held forever.
    func testClientThatStopsReadingIsReset() throws {
        let harness = try Harness(clientNetwork: Harness.networkLimits(connections: 4, buffer: 4096))
        let client = try harness.connect()
        client.queue(Array("GET /bytes/10000000 HTTP/1.1\r\nHost: seal\r\n\r\n"))
        client.pump(&harness.clientStack)
        XCTAssertTrue(harness.run(for: .seconds(1)) { harness.server.openConnections == 1 })
        let start = harness.now
        let gone = harness.run(for: .seconds(120)) { harness.server.openConnections == 0 }
        // HTTPLimits.sendTimeout: 20 s without TCP taking a byte.
        XCTAssertGreaterThanOrEqual(harness.now.duration(since: start), .seconds(20))
        XCTAssertTrue(gone)
        XCTAssertEqual(harness.server.counters.connectionsTimedOut, 1)
        XCTAssertEqual(harness.server.counters.streamsCompleted, 0)
    }
}

extension NetworkStack {
    /// Queues `bytes`, returning how many were taken (-1 on error).
    mutating func send(_ bytes: [UInt8], on connection: TCPConnectionHandle) -> Int {
        (try? bytes.withUnsafeBytes { (buffer) throws(SocketError) -> Int in try send(buffer, on: connection) }) ?? -1
    }

    /// Reads everything waiting.
    mutating func readAll(_ connection: TCPConnectionHandle) -> [UInt8] {
        var result: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { receive(into: $0, from: connection) }
            if count == 0 { break }
            result += buffer[0..<count]
        }
        return result
    }
}

// Bulk TCP transfers between two stacks over lossy, duplicating, reordering links.
import Capabilities
import Network
import XCTest

final class TCPTransferTests: XCTestCase {
    /// Sends `data` from A to B through the pair; returns what B read.
    static func transfer(_ data: [UInt8], pair: inout Pair, limit: Duration = .seconds(600)) throws -> [UInt8] {
        let (server, client) = try TCPHandshakeTests.connect(&pair)
        var offset = 0
        var received: [UInt8] = []
        received.reserveCapacity(data.count)
        var closed = false
        let done = pair.run(for: limit) { pair in
            if offset < data.count {
                let chunk = Array(data[offset..<min(offset + 8192, data.count)])
                offset += max(0, pair.a.send(chunk, on: server))
            } else if !closed {
                pair.a.close(server)
                closed = true
            }
            received += pair.b.readAll(client)
            return pair.b.hasReceivedEnd(client)
        }
        XCTAssertTrue(done, "transfer did not finish: \(received.count) of \(data.count)")
        return received
    }

    func testOneMebibyteOnCleanLink() throws {
        var pair = Pair()
        let data = pattern(1 << 20)
        let start = pair.now
        let received = try Self.transfer(data, pair: &pair)
        XCTAssertEqual(received.count, data.count)
        XCTAssertTrue(received == data)
        XCTAssertEqual(pair.a.counters.tcpRetransmissions, 0)
        // No loss: the transfer is limited by windows and link latency, not by timers.
        XCTAssertLessThan(pair.now.duration(since: start), .seconds(5))
    }

    func testOneMebibyteWithLossDuplicationAndReordering() throws {
        var pair = Pair(seed: 7)
        pair.setLoss(perMillion: 70_000, duplication: 20_000, reordering: 50_000)
        let data = pattern(1 << 20, seed: 3)
        let start = pair.now
        let received = try Self.transfer(data, pair: &pair)
        // Fast retransmit, NewReno and limited transmit keep timeouts rare (about 15 s here).
        XCTAssertLessThan(pair.now.duration(since: start), .seconds(30))
        XCTAssertEqual(received.count, data.count)
        XCTAssertTrue(received == data, "corrupted stream")
        XCTAssertGreaterThan(pair.a.interface.dropped + pair.b.interface.dropped, 50)
        XCTAssertGreaterThan(pair.a.interface.reordered, 10)
        XCTAssertGreaterThan(pair.a.counters.tcpRetransmissions, 0)
        XCTAssertGreaterThan(pair.a.counters.tcpFastRetransmits, 0)
        XCTAssertGreaterThan(pair.b.counters.tcpOutOfOrderQueued, 0)
    }

    func testTransfersUnderSeveralSeeds() throws {
        for seed in UInt64(20)..<UInt64(26) {
            var pair = Pair(seed: seed)
            pair.setLoss(perMillion: 100_000, duplication: 10_000, reordering: 30_000)
            let data = pattern(200_000, seed: seed)
            let received = try Self.transfer(data, pair: &pair)
            XCTAssertTrue(received == data, "seed \(seed): \(received.count) bytes")
        }
    }

    func testConcurrentTransfersUnderLossShareTheLink() throws {
        var pair = Pair(seed: 3)
        pair.setLoss(perMillion: 50_000, duplication: 10_000, reordering: 20_000)
        let listener = try pair.a.listen(port: 80)
        let clients = try (0..<4).map { _ in try pair.b.connect(to: IPv4Endpoint(address: addressA, port: 80)) }
        var servers: [TCPConnectionHandle] = []
        pair.run(for: .seconds(30)) { pair in
            while let accepted = pair.a.accept(listener) { servers.append(accepted) }
            return servers.count == 4
        }
        XCTAssertEqual(servers.count, 4)
        let payloads = (0..<4).map { pattern(100_000, seed: UInt64($0)) }
        var offsets = [Int](repeating: 0, count: 4)
        var received = [[UInt8]](repeating: [], count: 4)
        // Each server sends to its client; which client is which is learned from the data.
        pair.run(for: .seconds(300)) { pair in
            for index in 0..<4 where offsets[index] < payloads[index].count {
                let chunk = Array(payloads[index][offsets[index]..<min(offsets[index] + 8192, 100_000)])
                offsets[index] += max(0, pair.a.send(chunk, on: servers[index]))
            }
            for index in 0..<4 { received[index] += pair.b.readAll(clients[index]) }
            return received.allSatisfy { $0.count == 100_000 }
        }
        XCTAssertEqual(Set(received.map { $0.count }), [100_000])
        for stream in received { XCTAssertTrue(payloads.contains(stream), "a stream was corrupted or mixed") }
        XCTAssertEqual(Set(received).count, 4)
    }
}

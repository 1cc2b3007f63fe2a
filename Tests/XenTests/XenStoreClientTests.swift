// The xenstore client against a simulated xenstored: requests, replies, watches, transactions, and hostile servers.
import Testing
import XenABI
@testable import Xen

@Suite struct XenStoreClientTests {
    func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    /// Polls both sides until request `id` has its reply (or throws); bounded.
    func waitForReply(_ id: UInt32, _ client: XenStoreClient, _ server: SimulatedXenStored) throws -> XenStoreReply {
        for _ in 0..<64 {
            _ = try client.poll()
            server.step()
            _ = try client.poll()
            if let reply = try client.reply(for: id) { return reply }
        }
        Issue.record("no reply")
        throw XenError.malformedReply
    }

    func roundTrip(_ request: XenStoreRequest, transaction: UInt32 = 0,
                   _ client: XenStoreClient, _ server: SimulatedXenStored) throws -> XenStoreReply {
        try waitForReply(try client.submit(request, transaction: transaction), client, server)
    }

    @Test func writeReadDirectoryRemove() throws {
        let server = SimulatedXenStored()
        let client = XenStoreClient(interface: server.interface)
        #expect(try roundTrip(.write(path: bytes("device/vif/0/state"), value: bytes("1")), client, server) == .ok)
        #expect(try roundTrip(.write(path: bytes("device/vif/0/mac"), value: bytes("00:16:3e:00:00:01")), client, server) == .ok)
        #expect(try roundTrip(.read(path: bytes("device/vif/0/mac")), client, server) == .value(bytes("00:16:3e:00:00:01")))
        #expect(try roundTrip(.directory(path: bytes("device/vif/0")), client, server) == .names([bytes("mac"), bytes("state")]))
        #expect(try roundTrip(.remove(path: bytes("device/vif/0/mac")), client, server) == .ok)
        #expect(try roundTrip(.makeDirectory(path: bytes("data")), client, server) == .ok)
        #expect(try roundTrip(.getDomainPath(domain: 7), client, server) == .value(bytes("/local/domain/7")))
        #expect(client.outstandingCount == 0)
    }

    @Test func requestBytesOnTheWire() throws {
        let server = SimulatedXenStored()
        let client = XenStoreClient(interface: server.interface)
        let id = try client.submit(.write(path: bytes("a"), value: bytes("xy")), transaction: 5)
        #expect(try client.poll() == true)
        let expected: [UInt8] = [
            11, 0, 0, 0,      // XS_WRITE
            UInt8(id), 0, 0, 0,
            5, 0, 0, 0,       // tx_id
            4, 0, 0, 0,       // len: "a\0xy"
            0x61, 0, 0x78, 0x79,
        ]
        #expect(UInt32(XS_WRITE.rawValue) == 11)
        #expect((0..<20).map { server.page.bytes.load(fromByteOffset: $0, as: UInt8.self) } == expected)
        #expect(server.page.load32(SimulatedXenStored.requestProducer) == 20)
    }

    @Test func errorRepliesAreTypedErrors() throws {
        let server = SimulatedXenStored()
        let client = XenStoreClient(interface: server.interface)
        #expect(throws: XenError.xenStore(.noEntry)) {
            _ = try roundTrip(.read(path: bytes("missing")), client, server)
        }
        // The connection still works.
        #expect(try roundTrip(.write(path: bytes("k"), value: bytes("v")), client, server) == .ok)
        #expect(XenStoreErrorCode(payload: bytes("EAGAIN")[...]) == .tryAgain)
        #expect(XenStoreErrorCode(payload: bytes("EWHAT\0")[...]) == .other)
    }

    @Test func watchEventsAreQueued() throws {
        let server = SimulatedXenStored()
        let client = XenStoreClient(interface: server.interface)
        #expect(try roundTrip(.watch(path: bytes("backend"), token: bytes("t1")), client, server) == .ok)
        #expect(client.nextWatchEvent() == XenStoreWatchEvent(path: bytes("backend"), token: bytes("t1")))
        #expect(try roundTrip(.write(path: bytes("backend/state"), value: bytes("4")), client, server) == .ok)
        _ = try client.poll()
        #expect(client.nextWatchEvent() == XenStoreWatchEvent(path: bytes("backend/state"), token: bytes("t1")))
        #expect(client.nextWatchEvent() == nil)
        #expect(try roundTrip(.unwatch(path: bytes("backend"), token: bytes("t1")), client, server) == .ok)
        #expect(try roundTrip(.write(path: bytes("backend/state"), value: bytes("5")), client, server) == .ok)
        #expect(client.nextWatchEvent() == nil)
    }

    @Test func watchQueueIsBounded() throws {
        let server = SimulatedXenStored()
        let client = XenStoreClient(interface: server.interface, maximumWatchEvents: 2)
        for _ in 0..<5 {
            server.send(type: XS_WATCH_EVENT.rawValue, requestID: 0, payload: bytes("p\0t\0"))
        }
        server.pump()
        _ = try client.poll()
        #expect(client.nextWatchEvent() != nil)
        #expect(client.nextWatchEvent() != nil)
        #expect(client.nextWatchEvent() == nil)
        #expect(client.droppedWatchEvents == 3)
    }

    @Test func transactions() throws {
        let server = SimulatedXenStored()
        let client = XenStoreClient(interface: server.interface)
        guard case .transaction(let transaction) = try roundTrip(.transactionStart, client, server) else {
            Issue.record("no transaction id")
            return
        }
        #expect(transaction == 42)
        #expect(try roundTrip(.write(path: bytes("x"), value: bytes("1")), transaction: transaction, client, server) == .ok)
        #expect(try roundTrip(.transactionEnd(commit: true), transaction: transaction, client, server) == .ok)
        #expect(server.received.last?.transactionID == 42)
        #expect(server.received.last?.length == 2)
    }

    @Test func largeValuesStreamThroughTheSmallRings() throws {
        let server = SimulatedXenStored()
        let client = XenStoreClient(interface: server.interface)
        let value = (0..<4000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        // 4000 bytes need four passes through each 1 KiB ring, wrapping each time.
        #expect(try roundTrip(.write(path: bytes("big"), value: value), client, server) == .ok)
        #expect(try roundTrip(.read(path: bytes("big")), client, server) == .value(value))
    }

    @Test func indicesWrapAroundUInt32() throws {
        // A ring taken over with indices just below 2^32 (as left by an earlier user): they wrap mid-message.
        let server = SimulatedXenStored()
        for offset in [SimulatedXenStored.requestConsumer, SimulatedXenStored.requestProducer,
                       SimulatedXenStored.responseConsumer, SimulatedXenStored.responseProducer] {
            server.page.store32(offset, 0xFFFF_FFF0)
        }
        let client = XenStoreClient(interface: server.interface)
        let value = (0..<3000).map { UInt8(truncatingIfNeeded: $0 &* 13) }
        #expect(try roundTrip(.write(path: bytes("w"), value: value), client, server) == .ok)
        #expect(try roundTrip(.read(path: bytes("w")), client, server) == .value(value))
        #expect(server.page.load32(SimulatedXenStored.responseConsumer) < 0x1000)
    }

    @Test func manyRequestsInFlightMatchByID() throws {
        let server = SimulatedXenStored()
        let client = XenStoreClient(interface: server.interface)
        for index in 0..<8 { server.nodes[bytes("k\(index)")] = bytes("v\(index)") }
        var ids: [UInt32] = []
        for index in 0..<8 { ids.append(try client.submit(.read(path: bytes("k\(index)")))) }
        for _ in 0..<8 {
            _ = try client.poll()
            server.step()
        }
        _ = try client.poll()
        // Collected out of order.
        for index in [5, 0, 7, 3, 1, 2, 6, 4] {
            #expect(try client.reply(for: ids[index]) == .value(bytes("v\(index)")))
        }
        #expect(throws: XenError.unknownRequest(ids[0])) { _ = try client.reply(for: ids[0]) }
    }

    @Test func requestLimits() throws {
        let server = SimulatedXenStored()
        let client = XenStoreClient(interface: server.interface, maximumOutstanding: 2)
        _ = try client.submit(.read(path: bytes("a")))
        _ = try client.submit(.read(path: bytes("b")))
        #expect(throws: XenError.tooManyRequests) { _ = try client.submit(.read(path: bytes("c"))) }
        let other = XenStoreClient(interface: SharedPage().bytes)
        #expect(throws: XenError.invalidArgument) { _ = try other.submit(.read(path: [0x61, 0, 0x62])) }
        #expect(throws: XenError.requestTooLong) {
            _ = try other.submit(.write(path: bytes("p"), value: [UInt8](repeating: 1, count: 4095)))
        }
        #expect(try XenStoreRequest.write(path: bytes("p"), value: [UInt8](repeating: 1, count: 4094)).payload().count == 4096)
    }

    // MARK: hostile xenstored

    @Test func payloadLongerThanTheLimit() throws {
        let server = SimulatedXenStored()
        let client = XenStoreClient(interface: server.interface)
        let id = try client.submit(.read(path: bytes("a")))
        _ = try client.poll()
        XenStoreMessageHeader(type: XS_READ.rawValue, requestID: id, transactionID: 0, length: 4097).emit(into: &server.outbox)
        server.pump()
        #expect(throws: XenError.payloadTooLong(4097)) { _ = try client.poll() }
        #expect(throws: XenError.payloadTooLong(4097)) { _ = try client.reply(for: id) }
        #expect(throws: XenError.payloadTooLong(4097)) { _ = try client.submit(.read(path: bytes("b"))) }
    }

    @Test func responseProducerJumpsAhead() throws {
        let server = SimulatedXenStored()
        let client = XenStoreClient(interface: server.interface)
        server.page.store32(SimulatedXenStored.responseProducer, 1025)
        #expect(throws: XenError.responseIndicesCorrupt(producer: 1025, consumer: 0)) { _ = try client.poll() }
    }

    @Test func requestConsumerRunsAhead() throws {
        let server = SimulatedXenStored()
        let client = XenStoreClient(interface: server.interface)
        _ = try client.submit(.read(path: bytes("a")))
        server.page.store32(SimulatedXenStored.requestConsumer, 5)   // consumed bytes never written
        #expect(throws: XenError.requestIndicesCorrupt(producer: 0, consumer: 5)) { _ = try client.poll() }
    }

    @Test func replyToUnknownRequestID() throws {
        let server = SimulatedXenStored()
        let client = XenStoreClient(interface: server.interface)
        let id = try client.submit(.read(path: bytes("a")))
        _ = try client.poll()
        server.send(type: XS_READ.rawValue, requestID: id &+ 100, payload: bytes("v"))
        server.pump()
        #expect(throws: XenError.unexpectedReply(requestID: id &+ 100)) { _ = try client.poll() }
    }

    @Test func replyWithWrongTypeOrTransaction() throws {
        let server = SimulatedXenStored()
        let client = XenStoreClient(interface: server.interface)
        let first = try client.submit(.read(path: bytes("a")))
        _ = try client.submit(.write(path: bytes("b"), value: []))
        _ = try client.poll()
        server.send(type: XS_WRITE.rawValue, requestID: first, payload: bytes("OK\0"))
        server.pump()
        #expect(throws: XenError.replyMismatch(requestID: first)) { _ = try client.poll() }

        let other = SimulatedXenStored()
        let second = XenStoreClient(interface: other.interface)
        let id = try second.submit(.read(path: bytes("a")), transaction: 3)
        _ = try second.poll()
        other.send(type: XS_READ.rawValue, requestID: id, transaction: 4, payload: bytes("v"))
        other.pump()
        #expect(throws: XenError.replyMismatch(requestID: id)) { _ = try second.poll() }
    }

    @Test func garbageType() throws {
        let server = SimulatedXenStored()
        let client = XenStoreClient(interface: server.interface)
        _ = try client.poll()
        server.send(type: 0xDEAD, requestID: 1, payload: [])
        server.pump()
        #expect(throws: XenError.unknownMessageType(0xDEAD)) { _ = try client.poll() }
    }

    @Test func truncatedHeaderSplitAcrossTheWrap() throws {
        let server = SimulatedXenStored()
        let client = XenStoreClient(interface: server.interface)
        // Move both response indices to 1016 so the next header straddles the ring's end.
        server.page.store32(SimulatedXenStored.responseProducer, 1016)
        server.page.store32(SimulatedXenStored.responseConsumer, 1016)
        let wrapped = XenStoreClient(interface: server.interface)
        _ = client
        let id = try wrapped.submit(.read(path: bytes("node")))
        _ = try wrapped.poll()
        var message: [UInt8] = []
        XenStoreMessageHeader(type: XS_READ.rawValue, requestID: id, transactionID: 0, length: 5).emit(into: &message)
        message += bytes("hello")
        // Only 10 header bytes first (8 before the wrap, 2 after): nothing is delivered.
        server.outbox = Array(message[0..<10])
        server.pump()
        #expect(try wrapped.poll() == true)
        #expect(try wrapped.reply(for: id) == nil)
        // The rest arrives.
        server.outbox = Array(message[10...])
        server.pump()
        _ = try wrapped.poll()
        #expect(try wrapped.reply(for: id) == .value(bytes("hello")))
        #expect(server.page.load32(SimulatedXenStored.responseConsumer) == 1016 + 21)
    }

    @Test func malformedPayloads() throws {
        // A directory reply without its final NUL, a transaction id that is not a number, a watch event with one field.
        #expect(throws: XenError.malformedReply) { _ = try XenStoreReply(type: XS_DIRECTORY.rawValue, payload: bytes("a\0b")[...]) }
        #expect(throws: XenError.malformedReply) { _ = try XenStoreReply(type: XS_TRANSACTION_START.rawValue, payload: bytes("12x\0")[...]) }
        #expect(throws: XenError.malformedReply) { _ = try XenStoreReply(type: XS_TRANSACTION_START.rawValue, payload: bytes("99999999999\0")[...]) }
        #expect(throws: XenError.malformedReply) { _ = try XenStoreReply(type: XS_TRANSACTION_START.rawValue, payload: bytes("4294967296")[...]) }
        #expect(try XenStoreReply(type: XS_TRANSACTION_START.rawValue, payload: bytes("4294967295\0")[...]) == .transaction(.max))
        #expect(throws: XenError.malformedReply) { _ = try XenStoreReply(type: XS_WRITE.rawValue, payload: bytes("NO\0")[...]) }
        #expect(throws: XenError.malformedReply) { _ = try XenStoreWatchEvent(payload: bytes("path\0")[...]) }
        #expect(try XenStoreReply(type: XS_DIRECTORY.rawValue, payload: []) == .names([]))
    }

    @Test func malformedWatchEventBreaksTheClient() throws {
        let server = SimulatedXenStored()
        let client = XenStoreClient(interface: server.interface)
        server.send(type: XS_WATCH_EVENT.rawValue, requestID: 0, payload: bytes("only-a-path"))
        server.pump()
        #expect(throws: XenError.malformedReply) { _ = try client.poll() }
        #expect(client.failure == .malformedReply)
    }
}

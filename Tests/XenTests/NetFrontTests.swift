// netfront against a simulated netback: the handshake, frames both ways, and backends that lie.
import Testing
import XenABI
@testable import Xen

@Suite struct NetFrontTests {
    typealias Front = NetFront<TestFrontendServices>

    /// A connected pair; the backend serves at every `wait`.
    func connected(receiveBuffers: Int = 8, transmitBuffers: Int = 8) throws -> (TestFrontendServices, SimulatedNetBack, Front) {
        let services = TestFrontendServices()
        let backend = SimulatedNetBack(services: services)
        let front = try Front.connect(services: services, receiveBuffers: receiveBuffers, transmitBuffers: transmitBuffers)
        return (services, backend, front)
    }

    func frame(_ length: Int, seed: Int) -> [UInt8] {
        (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ seed) }
    }

    func send(_ front: Front, _ bytes: [UInt8]) -> Bool {
        front.transmit(length: bytes.count) { buffer in
            bytes.withUnsafeBytes { buffer.copyMemory(from: $0) }
        }
    }

    func take(_ front: Front) -> [UInt8]? {
        front.receive { Array($0) }
    }

    func expectConnectError(_ expected: XenError, _ setUp: (TestFrontendServices, SimulatedNetBack) -> Void) {
        let services = TestFrontendServices()
        let backend = SimulatedNetBack(services: services)
        setUp(services, backend)
        let freeGrants = services.grantTable.freeCount
        #expect(throws: expected) { try Front.connect(services: services, timeout: 10_000_000) }
        // Every grant made is withdrawn (the simulated backend never maps buffers before Connected).
        #expect(services.grantTable.freeCount == freeGrants)
    }

    // MARK: handshake

    @Test func handshakePublishesRingsAndFeatures() throws {
        let (services, backend, front) = try connected()
        #expect(backend.state == "4" && backend.frontendValue("state") == "4")
        #expect(backend.frontendValue("request-rx-copy") == "1")
        #expect(backend.frontendValue("feature-rx-notify") == "1")
        #expect(backend.frontendValue("feature-no-csum-offload") == "1")
        #expect(backend.frontendValue("event-channel") == String(front.eventPort))
        #expect(backend.frontendValue("tx-ring-ref") == String(front.transmitRingReference.rawValue))
        #expect(backend.frontendValue("rx-ring-ref") == String(front.receiveRingReference.rawValue))
        #expect(services.unboundPorts[front.eventPort] == 0)
        #expect(services.handlers[front.eventPort] != nil)
        #expect(front.backendDomain == 0)
        #expect(front.macAddress.rawValue == 0x0016_3e12_3456)
        #expect(front.maximumTransmissionUnit == 1500)
        #expect(backend.frontendErrors.isEmpty)
        // Rings and receive buffers are writable by the backend, transmit buffers read-only.
        #expect(services.grant(front.transmitRingReference.rawValue)?.readOnly == false)
        #expect(services.grant(front.receiveRingReference.rawValue)?.readOnly == false)
        #expect(front.queues.receiveGrants.allSatisfy { services.grant($0.rawValue)?.readOnly == false })
        #expect(front.queues.transmitGrants.allSatisfy { services.grant($0.rawValue)?.readOnly == true })
        #expect(front.postedReceiveBuffers == 8 && front.queues.receiveRing.requestsPushed == 8)
        // The backend is kicked once connected, so it sees the posted buffers.
        #expect(services.notified.last == front.eventPort)
        // The rings, keys and state come before Connected.
        let order = services.writes.map { String(decoding: $0.path, as: UTF8.self) }
        let stateIndex = try #require(order.lastIndex(of: "device/vif/0/state"))
        #expect(order.firstIndex(of: "device/vif/0/event-channel")! < stateIndex)
        #expect(order.firstIndex(of: "device/vif/0/tx-ring-ref")! < stateIndex)
    }

    @Test func bufferCountsAreClampedToTheRing() throws {
        let (_, _, front) = try connected(receiveBuffers: 10_000, transmitBuffers: 0)
        #expect(front.receiveBufferCount == 256 && front.postedReceiveBuffers == 256)
        #expect(front.transmitBufferCount == 1)
    }

    @Test func macAddressIsParsedStrictly() {
        #expect(NetFrontMACAddress.parse(Array("00:16:3E:aB:cd:EF".utf8))?.rawValue == 0x0016_3eab_cdef)
        #expect(NetFrontMACAddress.parse(Array("00:16:3e:ab:cd:ef".utf8) + [0])?.rawValue == 0x0016_3eab_cdef)
        for bad in ["", "00:16:3e:ab:cd", "00:16:3e:ab:cd:ef:", "00-16-3e-ab-cd-ef", "0:16:3e:ab:cd:eff",
                    "00:16:3e:ab:cd:eg", " 0:16:3e:ab:cd:ef", "00:16:3e:ab:cd:ef\n", "00163eabcdef"] {
            #expect(NetFrontMACAddress.parse(Array(bad.utf8)) == nil, "\(bad)")
        }
        expectConnectError(.malformedStoreValue) { services, _ in services.set("device/vif/0/mac", "00:16:3e:12:34") }
    }

    @Test func malformedStoreValuesAreTypedErrors() {
        expectConnectError(.malformedStoreValue) { services, _ in services.set("device/vif/0/backend-id", "0x0") }
        expectConnectError(.malformedStoreValue) { services, _ in services.set("device/vif/0/backend-id", "99999") }
        expectConnectError(.malformedStoreValue) { services, _ in services.set("device/vif/0/backend", "relative/path") }
        expectConnectError(.malformedStoreValue) { services, backend in services.set(backend.backendPath + "/state", "two") }
        expectConnectError(.malformedStoreValue) { services, backend in services.set(backend.backendPath + "/state", "9") }
        expectConnectError(.malformedStoreValue) { services, backend in
            services.set(backend.backendPath + "/feature-rx-copy", "yes")
        }
        expectConnectError(.deviceMissing) { services, _ in services.store[Array("device/vif/0/backend".utf8)] = nil }
    }

    @Test func backendWithoutReceiveCopyIsRefused() {
        expectConnectError(.backendLacksReceiveCopy) { services, backend in
            services.store[Array((backend.backendPath + "/feature-rx-copy").utf8)] = nil
        }
        expectConnectError(.backendLacksReceiveCopy) { services, backend in services.set(backend.backendPath + "/feature-rx-copy", "0") }
    }

    @Test func exhaustedMemoryOrGrantsAreTypedErrors() throws {
        expectConnectError(.outOfMemory) { services, _ in services.pageLimit = 20 }
        expectConnectError(.grantTableFull) { services, _ in
            // Leave room for the rings and a few buffers only.
            while services.grantTable.freeCount > 10 {
                _ = try? services.grantTable.grantAccess(domain: 3, frame: 1, readOnly: true)
            }
        }
    }

    @Test func backendThatNeverConnectsTimesOut() {
        let services = TestFrontendServices()
        let backend = SimulatedNetBack(services: services)
        backend.connects = false
        let freeGrants = services.grantTable.freeCount
        let start = services.nanoseconds
        #expect(throws: XenError.handshakeTimeout) { try Front.connect(services: services, timeout: 50_000_000) }
        #expect(services.nanoseconds - start <= 52_000_000)
        #expect(services.waits <= 60)
        // Published, then withdrawn: state Closed, every grant ended.
        #expect(backend.frontendValue("state") == "6")
        #expect(services.grantTable.freeCount == freeGrants)
    }

    @Test func backendThatNeverReachesInitWaitTimesOut() {
        expectConnectError(.handshakeTimeout) { services, backend in services.set(backend.backendPath + "/state", "1") }
    }

    @Test func backendThatClosesDuringHandshake() {
        expectConnectError(.backendClosed) { _, backend in backend.closesDuringHandshake = true }
        expectConnectError(.backendClosed) { services, backend in services.set(backend.backendPath + "/state", "5") }
    }

    // MARK: frames

    @Test func frameRoundTripsBothWays() throws {
        let (services, backend, front) = try connected()
        let outgoing = frame(1514, seed: 3)
        #expect(send(front, outgoing))
        #expect(services.notified.last == front.eventPort)  // req_event was 1: the first push notifies
        services.wait(until: services.nanoseconds)
        #expect(backend.transmitted == [outgoing])

        let incoming = frame(60, seed: 9)
        backend.pending.append(incoming)
        #expect(take(front) == nil)
        services.wait(until: services.nanoseconds)
        #expect(take(front) == incoming)
        #expect(take(front) == nil)
        #expect(front.counters.framesReceived == 1 && front.counters.framesTransmitted == 1)
        #expect(front.counters.framesDropped == 0)
        // receive reclaimed the answered transmit buffer.
        #expect(front.postedReceiveBuffers == 8 && front.transmitBuffersInFlight == 0)
        // The next transmit reclaims the answered slot.
        #expect(send(front, frame(14, seed: 1)))
        #expect(front.transmitBuffersInFlight == 1)
    }

    @Test func framesAtAnOffsetAreDelivered() throws {
        let (services, backend, front) = try connected()
        backend.receiveOffset = 4096 - 1514
        let incoming = frame(1514, seed: 5)
        backend.pending.append(incoming)
        services.wait(until: services.nanoseconds)
        #expect(take(front) == incoming)
    }

    @Test func thousandFramesEachWayThroughASmallRing() throws {
        let (services, backend, front) = try connected(receiveBuffers: 4, transmitBuffers: 4)
        let freeGrants = services.grantTable.freeCount
        let pageCount = services.pages.count
        var received: [[UInt8]] = []
        var sent: [[UInt8]] = []
        for index in 0..<1000 {
            let outgoing = frame(14 + index % 1500, seed: index)
            while !send(front, outgoing) { services.wait(until: services.nanoseconds) }
            sent.append(outgoing)
            backend.pending.append(frame(60 + index % 1400, seed: index &* 3))
            if index % 3 == 0 { services.wait(until: services.nanoseconds) }
            while let bytes = take(front) { received.append(bytes) }
        }
        var rounds = 0
        while received.count < 1000 && rounds < 1000 {
            rounds += 1
            services.wait(until: services.nanoseconds)
            while let bytes = take(front) { received.append(bytes) }
        }
        #expect(backend.transmitted == sent)
        #expect(received.count == 1000)
        #expect(received == (0..<1000).map { frame(60 + $0 % 1400, seed: $0 &* 3) })
        #expect(front.postedReceiveBuffers == 4)
        #expect(front.counters.framesDropped == 0 && front.failure == nil)
        // Grants and pages are set up once: no churn per frame.
        #expect(services.grantTable.freeCount == freeGrants && services.pages.count == pageCount)
        #expect(backend.frontendErrors.isEmpty)
    }

    @Test func transmitNeverWaitsForTheBackend() throws {
        let (services, backend, front) = try connected(transmitBuffers: 4)
        backend.answersTransmit = false
        let waits = services.waits
        for index in 0..<4 { #expect(send(front, frame(100, seed: index))) }
        var filled = false
        #expect(!front.transmit(length: 100) { _ in filled = true })
        #expect(!filled && services.waits == waits)
        #expect(front.counters.transmitBusy == 1)
        // With frames in flight the transmit ring's rsp_event is armed: a completion raises an event.
        #expect(front.queues.transmitRing.responseConsumer + 1 == backend.transmitRing!.responseEvent)
        backend.answersTransmit = true
        let raised = backend.raisedCount
        services.wait(until: services.nanoseconds)
        #expect(backend.raisedCount == raised + 1)
        #expect(send(front, frame(100, seed: 9)))
        #expect(front.transmitBuffersInFlight == 1)
    }

    @Test func transmitRefusesBadLengths() throws {
        let (_, _, front) = try connected()
        var filled = false
        #expect(!front.transmit(length: 13) { _ in filled = true })
        #expect(!front.transmit(length: 1515) { _ in filled = true })
        #expect(!front.transmit(length: -1) { _ in filled = true })
        #expect(!filled && front.counters.transmitRejected == 3 && front.failure == nil)
    }

    @Test func transmitErrorsFreeTheSlotAndCount() throws {
        let (services, backend, front) = try connected(transmitBuffers: 2)
        backend.transmitStatus = Int16(NETIF_RSP_ERROR)
        #expect(send(front, frame(60, seed: 1)))
        services.wait(until: services.nanoseconds)
        backend.transmitStatus = Int16(NETIF_RSP_DROPPED)
        #expect(send(front, frame(60, seed: 2)))
        services.wait(until: services.nanoseconds)
        #expect(send(front, frame(60, seed: 3)))
        #expect(front.counters.transmitErrors == 2 && front.failure == nil)
        #expect(front.transmitBuffersInFlight == 1)
    }

    @Test func receiveReArmsTheResponseEvent() throws {
        let (services, backend, front) = try connected()
        backend.pending.append(frame(60, seed: 1))
        services.wait(until: services.nanoseconds)
        #expect(take(front) != nil)
        #expect(take(front) == nil)
        // io/ring.h: rsp_event = rsp_cons + 1, so the next frame raises an event.
        #expect(backend.receiveRing!.responseEvent == front.queues.receiveRing.responseConsumer + 1)
        let raised = backend.raisedCount
        backend.pending.append(frame(60, seed: 2))
        services.wait(until: services.nanoseconds)
        #expect(backend.raisedCount == raised + 1)
        #expect(take(front) == frame(60, seed: 2))
    }

    // MARK: lying backends

    @Test func receiveProducerBeyondTheRingFailsTheDevice() throws {
        let (_, backend, front) = try connected()
        backend.receiveRing!.sharedResponseProducer = 1000
        #expect(take(front) == nil)
        #expect(front.failure == .responseProducerBeyondRing(producer: 1000, consumer: 0))
        backend.receiveRing!.sharedResponseProducer = 0
        #expect(take(front) == nil)
        #expect(!send(front, frame(60, seed: 1)))
    }

    @Test func transmitProducerPastRequestsFailsTheDevice() throws {
        let (_, backend, front) = try connected()
        backend.transmitRing!.sharedResponseProducer = 3
        #expect(!send(front, frame(60, seed: 1)))
        #expect(front.failure == .responsesPastRequests(producer: 3, requested: 0))
        #expect(take(front) == nil)
    }

    @Test func receiveIdNeverPostedFailsTheDevice() throws {
        let (_, backend, front) = try connected()
        _ = backend.takeReceiveRequest()
        backend.respondReceive(SimulatedNetBack.receiveResponse(id: 200, status: 60))
        #expect(take(front) == nil)
        #expect(front.failure == .backendProtocolViolation)
        #expect(!send(front, frame(60, seed: 1)))
    }

    @Test func duplicateReceiveIdFailsTheDevice() throws {
        let (services, backend, front) = try connected()
        backend.pending.append(frame(60, seed: 1))
        services.wait(until: services.nanoseconds)
        #expect(take(front) != nil)
        // Answer the next request with the id already answered.
        let request = try #require(backend.takeReceiveRequest())
        backend.respondReceive(SimulatedNetBack.receiveResponse(id: request.id == 0 ? 1 : 0, status: 60))
        #expect(take(front) == nil)
        #expect(front.failure == .backendProtocolViolation)
    }

    @Test func reorderedReceiveIdsFailTheDevice() throws {
        // netif.h: each response stays in its request's slot; swapping two posted ids breaks that.
        let (_, backend, front) = try connected()
        let first = try #require(backend.takeReceiveRequest())
        let second = try #require(backend.takeReceiveRequest())
        backend.respondReceive(SimulatedNetBack.receiveResponse(id: second.id, status: 60))
        backend.respondReceive(SimulatedNetBack.receiveResponse(id: first.id, status: 60))
        #expect(take(front) == nil)
        #expect(front.failure == .backendProtocolViolation)
        #expect(front.counters.framesReceived == 0)
    }

    @Test func transmitIdNeverIssuedOrAnsweredTwiceFailsTheDevice() throws {
        let (_, backend, front) = try connected()
        backend.answersTransmit = false
        #expect(send(front, frame(60, seed: 1)) && send(front, frame(60, seed: 2)))
        _ = try #require(backend.takeTransmitRequest())
        let second = try #require(backend.takeTransmitRequest())
        backend.respondTransmit(id: second.id)
        #expect(take(front) == nil)  // reclaims it
        #expect(front.failure == nil && front.transmitBuffersInFlight == 1)
        backend.respondTransmit(id: second.id)  // answered twice
        #expect(!send(front, frame(60, seed: 3)))
        #expect(front.failure == .backendProtocolViolation)

        let (_, other, otherFront) = try connected()
        other.answersTransmit = false
        #expect(send(otherFront, frame(60, seed: 1)))
        _ = other.takeTransmitRequest()
        other.respondTransmit(id: 40_000)  // never issued
        #expect(take(otherFront) == nil)
        #expect(otherFront.failure == .backendProtocolViolation)
    }

    @Test func badStatusesAndOffsetsAreDroppedAndCounted() throws {
        let (services, backend, front) = try connected(receiveBuffers: 4)
        let lies: [(offset: UInt16, status: Int16)] = [
            (0, 1515), (4000, 200), (0, 0), (UInt16.max, Int16.max), (0, Int16(NETIF_RSP_ERROR)), (0, Int16.min),
        ]
        for lie in lies {
            let request = try #require(backend.takeReceiveRequest())
            backend.respondReceive(SimulatedNetBack.receiveResponse(id: request.id, offset: lie.offset, status: lie.status))
            #expect(take(front) == nil)
            #expect(front.postedReceiveBuffers == 4)
        }
        #expect(front.counters.receiveMalformed == 4 && front.counters.receiveErrors == 2)
        #expect(front.failure == nil)
        backend.pending.append(frame(60, seed: 4))
        services.wait(until: services.nanoseconds)
        #expect(take(front) == frame(60, seed: 4))
        #expect(front.postedReceiveBuffers == 4)
    }

    @Test func multiSlotFramesAreDroppedWithTheirContinuations() throws {
        let (services, backend, front) = try connected(receiveBuffers: 8)
        func respond(_ make: (UInt16) -> netif_rx_response_t) throws {
            let request = try #require(backend.takeReceiveRequest())
            backend.respondReceive(make(request.id))
        }
        let more = UInt16(NETRXF_more_data)
        let extra = UInt16(NETRXF_extra_info)
        // A GSO frame: first slot with extra info and more data, two extras, then two fragments.
        try respond { SimulatedNetBack.receiveResponse(id: $0, flags: extra | more, status: 1000) }
        try respond { _ in SimulatedNetBack.extraInfo(more: true) }
        try respond { _ in SimulatedNetBack.extraInfo(more: false) }
        try respond { SimulatedNetBack.receiveResponse(id: $0, flags: more, status: 4000) }
        try respond { SimulatedNetBack.receiveResponse(id: $0, flags: 0, status: 500) }
        // Then a scatter-gather frame without extras, split across calls.
        try respond { SimulatedNetBack.receiveResponse(id: $0, flags: more, status: 1000) }
        #expect(take(front) == nil)
        #expect(front.counters.receiveMultiSlot == 2)
        try respond { SimulatedNetBack.receiveResponse(id: $0, flags: 0, status: 600) }
        #expect(take(front) == nil)
        #expect(front.postedReceiveBuffers == 8 && front.failure == nil)
        backend.pending.append(frame(60, seed: 6))
        services.wait(until: services.nanoseconds)
        #expect(take(front) == frame(60, seed: 6))
        #expect(front.counters.receiveMultiSlot == 2 && front.counters.framesReceived == 1)
    }

    @Test func eventStormDoesNotStopTheDevice() throws {
        let (services, backend, front) = try connected()
        for _ in 0..<10_000 { services.raised.append(front.eventPort) }
        backend.pending.append(frame(60, seed: 8))
        services.wait(until: services.nanoseconds)
        #expect(services.raised.isEmpty)
        // Polling after each of many spurious events is cheap and bounded.
        #expect(take(front) == frame(60, seed: 8))
        for _ in 0..<10_000 { #expect(take(front) == nil) }
        #expect(send(front, frame(60, seed: 9)))
        services.wait(until: services.nanoseconds)
        #expect(backend.transmitted.last == frame(60, seed: 9))
        #expect(front.failure == nil && front.postedReceiveBuffers == 8)
    }

    @Test func receiveRequestsAreNotifiedWhenTheBackendAsks() throws {
        let (services, backend, front) = try connected(receiveBuffers: 2)
        // The backend consumed every request and asks to hear about the next (req_event = req_cons + 1).
        while backend.takeReceiveRequest() != nil {}
        backend.receiveRing!.requestEvent = backend.receiveRing!.requestConsumer + 1
        services.notified.removeAll()
        backend.respondReceive(SimulatedNetBack.receiveResponse(id: 0, status: 60))
        #expect(take(front) != nil)
        #expect(services.notified == [front.eventPort])
    }
}

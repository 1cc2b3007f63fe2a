// netfront against a simulated netback that lies: indices past the ring, ids never posted or repeated, bad statuses, multi-slot frames, event storms.
import Testing
import XenABI
@testable import Xen

@Suite struct NetFrontLyingBackendTests: NetFrontTesting {
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

// io/ring.h front-end semantics against a simulated backend, and backends that lie about rsp_prod.
import Testing
import XenABI
@testable import Xen

/// The backend's side of a ring: reads requests after req_prod, writes responses and rsp_prod.
struct SimulatedBackend {
    let page: SharedPage
    let geometry: SharedRingGeometry
    var requestConsumer: UInt32 = 0
    var responseProducer: UInt32 = 0

    var requestProducer: UInt32 { page.load32(0) }
    var requestEvent: UInt32 {
        get { page.load32(4) }
        nonmutating set { page.store32(4, newValue) }
    }
    var sharedResponseProducer: UInt32 {
        get { page.load32(8) }
        nonmutating set { page.store32(8, newValue) }
    }
    var responseEvent: UInt32 { page.load32(12) }

    mutating func takeRequest<Request>(_ type: Request.Type) -> Request? {
        guard requestConsumer != requestProducer else { return nil }
        let slot = Int(requestConsumer & (geometry.count - 1))
        requestConsumer &+= 1
        return page.bytes.loadUnaligned(fromByteOffset: 64 + slot * geometry.entrySize, as: Request.self)
    }

    mutating func respond<Response>(_ response: Response) {
        let slot = Int(responseProducer & (geometry.count - 1))
        page.bytes.storeBytes(of: response, toByteOffset: 64 + slot * geometry.entrySize, as: Response.self)
        responseProducer &+= 1
        sharedResponseProducer = responseProducer
    }
}

@Suite struct FrontRingTests {
    func blockRequest(id: UInt64, sector: UInt64) -> blkif_request_t {
        var request = blkif_request_t()
        request.operation = UInt8(BLKIF_OP_READ)
        request.nr_segments = 1
        request.id = id
        request.sector_number = sector
        return request
    }

    func blockResponse(id: UInt64, status: Int16 = Int16(BLKIF_RSP_OKAY)) -> blkif_response_t {
        var response = blkif_response_t()
        response.id = id
        response.operation = UInt8(BLKIF_OP_READ)
        response.status = status
        return response
    }

    @Test func initialiseSetsEventsToOne() throws {
        let page = SharedPage()
        page.bytes.initializeMemory(as: UInt8.self, repeating: 0xAA, count: 4096)
        let ring = try BlockRing(page: page.bytes)
        ring.initialiseShared()
        #expect(page.load32(0) == 0 && page.load32(8) == 0)
        #expect(page.load32(4) == 1 && page.load32(12) == 1)
        #expect(page.bytes.load(fromByteOffset: 63, as: UInt8.self) == 0)
        #expect(ring.freeRequests == 32)
    }

    @Test func requestsRoundTripThroughBackend() throws {
        let page = SharedPage()
        let ring = try BlockRing(page: page.bytes)
        ring.initialiseShared()
        var backend = SimulatedBackend(page: page, geometry: ring.geometry)
        for id in 0..<3 { try ring.enqueue(blockRequest(id: UInt64(id), sector: UInt64(id) * 8)) }
        // Not visible before the push.
        #expect(backend.takeRequest(blkif_request_t.self) == nil)
        // req_event is 1: the first push notifies.
        #expect(try ring.pushRequests() == true)
        var seen: [UInt64] = []
        while let request = backend.takeRequest(blkif_request_t.self) {
            seen.append(request.sector_number)
            backend.respond(blockResponse(id: request.id))
        }
        #expect(seen == [0, 8, 16])
        var ids: [UInt64] = []
        while let response = try ring.nextResponse() { ids.append(response.id) }
        #expect(ids == [0, 1, 2])
        #expect(ring.freeRequests == 32)
    }

    @Test func notifyOnlyWhenBackendAsked() throws {
        let page = SharedPage()
        let ring = try BlockRing(page: page.bytes)
        ring.initialiseShared()
        let backend = SimulatedBackend(page: page, geometry: ring.geometry)
        try ring.enqueue(blockRequest(id: 1, sector: 0))
        #expect(try ring.pushRequests() == true)   // req_event 1, req_prod 0 → 1
        // The backend is busy and has not re-armed req_event: no notification needed.
        try ring.enqueue(blockRequest(id: 2, sector: 0))
        #expect(try ring.pushRequests() == false)
        // It asks to be woken at request 3 (RING_FINAL_CHECK_FOR_REQUESTS sets req_event = req_cons + 1).
        backend.requestEvent = 3
        try ring.enqueue(blockRequest(id: 3, sector: 0))
        try ring.enqueue(blockRequest(id: 4, sector: 0))
        #expect(try ring.pushRequests() == true)
    }

    @Test func slotsWrapAroundTheRingManyTimes() throws {
        let page = SharedPage()
        let ring = try NetworkTransmitRing(page: page.bytes)
        ring.initialiseShared()
        var backend = SimulatedBackend(page: page, geometry: ring.geometry)
        // Run 600 rounds of 1..3 requests: slots wrap many times.
        var next: UInt16 = 0
        for round in 0..<600 {
            let batch = round % 3 + 1
            for _ in 0..<batch {
                var request = netif_tx_request_t()
                request.id = next
                request.size = 60
                next &+= 1
                try ring.enqueue(request)
            }
            _ = try ring.pushRequests()
            while let request = backend.takeRequest(netif_tx_request_t.self) {
                var response = netif_tx_response_t()
                response.id = request.id
                response.status = Int16(NETIF_RSP_OKAY)
                backend.respond(response)
            }
            for _ in 0..<batch {
                let response = try #require(try ring.nextResponse())
                #expect(response.status == Int16(NETIF_RSP_OKAY))
            }
            #expect(try ring.nextResponse() == nil)
        }
        #expect(ring.responseConsumer == 1200)
    }

    @Test func ringFullIsAnError() throws {
        let page = SharedPage()
        let ring = try BlockRing(page: page.bytes)
        ring.initialiseShared()
        for id in 0..<32 { try ring.enqueue(blockRequest(id: UInt64(id), sector: 0)) }
        #expect(ring.freeRequests == 0)
        #expect(throws: XenError.ringFull) { try ring.enqueue(blockRequest(id: 99, sector: 0)) }
        #expect(!ring.isBroken)
    }

    @Test func responsesPastRequestsBreakTheRing() throws {
        let page = SharedPage()
        let ring = try BlockRing(page: page.bytes)
        ring.initialiseShared()
        try ring.enqueue(blockRequest(id: 1, sector: 0))
        try ring.enqueue(blockRequest(id: 2, sector: 0))
        _ = try ring.pushRequests()
        try ring.enqueue(blockRequest(id: 3, sector: 0))   // queued, not pushed
        page.store32(8, 3)   // answers three: one never pushed
        #expect(throws: XenError.responsesPastRequests(producer: 3, requested: 2)) { _ = try ring.nextResponse() }
        #expect(ring.isBroken)
        // Broken for good, even if the backend "fixes" the index.
        page.store32(8, 1)
        #expect(throws: XenError.responsesPastRequests(producer: 3, requested: 2)) { _ = try ring.nextResponse() }
        #expect(throws: XenError.responsesPastRequests(producer: 3, requested: 2)) { _ = try ring.pushRequests() }
        #expect(throws: XenError.responsesPastRequests(producer: 3, requested: 2)) { try ring.enqueue(blockRequest(id: 4, sector: 0)) }
    }

    @Test func producerFarAheadBreaksTheRing() throws {
        let page = SharedPage()
        let ring = try BlockRing(page: page.bytes)
        ring.initialiseShared()
        try ring.enqueue(blockRequest(id: 1, sector: 0))
        _ = try ring.pushRequests()
        page.store32(8, 0xFFFF_FFF0)   // "behind" by 16, i.e. 2^32 - 16 ahead
        #expect(throws: XenError.responseProducerBeyondRing(producer: 0xFFFF_FFF0, consumer: 0)) {
            _ = try ring.finalCheckForResponses()
        }
        #expect(ring.isBroken)
    }

    @Test func finalCheckArmsResponseEvent() throws {
        let page = SharedPage()
        let ring = try BlockRing(page: page.bytes)
        ring.initialiseShared()
        var backend = SimulatedBackend(page: page, geometry: ring.geometry)
        try ring.enqueue(blockRequest(id: 7, sector: 0))
        _ = try ring.pushRequests()
        #expect(try ring.finalCheckForResponses() == false)
        #expect(backend.responseEvent == 1)
        _ = backend.takeRequest(blkif_request_t.self)
        backend.respond(blockResponse(id: 7))
        #expect(try ring.finalCheckForResponses() == true)
        #expect(try ring.nextResponse()?.id == 7)
        #expect(try ring.finalCheckForResponses() == false)
        #expect(backend.responseEvent == 2)
    }

    @Test func barriersSurroundThePublish() throws {
        let page = SharedPage()
        var log: [UInt32] = []
        let ring = try BlockRing(page: page.bytes, barrier: { log.append(page.load32(0)) })
        ring.initialiseShared()
        try ring.enqueue(blockRequest(id: 1, sector: 0))
        _ = try ring.pushRequests()
        // One barrier while req_prod still said 0 (entries before index), one after it said 1.
        #expect(log == [0, 1])
    }
}

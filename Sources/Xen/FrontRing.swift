/// The front end of an io/ring.h shared ring: queue requests, push them with the notify decision, take checked responses.
///
/// The backend owns `rsp_prod` and `req_event`; both are read from shared memory, and `rsp_prod` is
/// checked on every read: it may not run past the requests pushed (`.responsesPastRequests`) nor more
/// than the ring's size ahead (`.responseProducerBeyondRing`). After such an error the ring is broken
/// and every call throws it again. Response contents (ids, statuses) are the device's to check.
import XenABI

/// `Request` and `Response` are io/ring.h entry structs, plain data. They are not constrained to
/// `BitwiseCopyable`: with that constraint, an Embedded build of a module that specialises a
/// frontend (the board) failed to find the C structs' implicit conformance (Swift 6.3 crash).
public final class FrontRing<Request, Response> {
    public let geometry: SharedRingGeometry
    private let page: UnsafeMutableRawPointer
    private let barrier: () -> Void
    /// `req_prod_pvt`: requests queued, pushed or not.
    public private(set) var requestProducer: UInt32 = 0
    /// Requests made visible to the backend (the last `req_prod` written).
    public private(set) var requestsPushed: UInt32 = 0
    /// `rsp_cons`: responses taken.
    public private(set) var responseConsumer: UInt32 = 0
    /// The error that broke the ring, if one did.
    public private(set) var failure: XenError?

    /// A ring over `page` (at least `pageSize` bytes, shared with the backend). The front end
    /// initialises the shared header: call `initialiseShared()` before advertising the page.
    public init(page: UnsafeMutableRawPointer, pageSize: Int = XenMemory.pageSize,
                barrier: @escaping () -> Void = XenMemory.fullBarrier) throws(XenError) {
        geometry = try SharedRingGeometry(request: Request.self, response: Response.self, pageSize: pageSize)
        self.page = page
        self.barrier = barrier
    }

    /// io/ring.h SHARED_RING_INIT and FRONT_RING_INIT: indices zero, both events one, padding zero.
    public func initialiseShared() {
        page.initializeMemory(as: UInt8.self, repeating: 0, count: SharedRingGeometry.entriesOffset)
        store(SharedRingGeometry.requestProducerOffset, 0)
        store(SharedRingGeometry.responseProducerOffset, 0)
        store(SharedRingGeometry.requestEventOffset, 1)
        store(SharedRingGeometry.responseEventOffset, 1)
        requestProducer = 0
        requestsPushed = 0
        responseConsumer = 0
        failure = nil
    }

    /// Slots free for new requests (RING_FREE_REQUESTS).
    public var freeRequests: UInt32 {
        geometry.count &- (requestProducer &- responseConsumer)
    }

    /// Writes `request` into the next slot (not yet visible to the backend: see `pushRequests`).
    /// Returns the slot index, `requestProducer & (count - 1)`.
    @discardableResult
    public func enqueue(_ request: Request) throws(XenError) -> UInt32 {
        if let failure { throw failure }
        guard freeRequests > 0 else { throw .ringFull }
        let slot = requestProducer & (geometry.count - 1)
        page.storeBytes(of: request, toByteOffset: entryOffset(slot), as: Request.self)
        requestProducer &+= 1
        return slot
    }

    /// RING_PUSH_REQUESTS_AND_CHECK_NOTIFY: publishes the queued requests; true when the backend asked
    /// to be notified (its `req_event` lies among the requests just pushed).
    public func pushRequests() throws(XenError) -> Bool {
        if let failure { throw failure }
        let old = requestsPushed
        let new = requestProducer
        barrier()  // xen_wmb: the entries before the index that publishes them
        store(SharedRingGeometry.requestProducerOffset, new)
        requestsPushed = new
        barrier()  // xen_mb: the index before reading req_event
        let event = load(SharedRingGeometry.requestEventOffset)
        return (new &- event) < (new &- old)
    }

    /// Responses the backend has produced and we have not taken (RING_HAS_UNCONSUMED_RESPONSES), checked.
    public func unconsumedResponses() throws(XenError) -> UInt32 {
        if let failure { throw failure }
        let producer = load(SharedRingGeometry.responseProducerOffset)
        let available = producer &- responseConsumer
        if available > geometry.count {
            throw fail(.responseProducerBeyondRing(producer: producer, consumer: responseConsumer))
        }
        if available > requestsPushed &- responseConsumer {
            throw fail(.responsesPastRequests(producer: producer, requested: requestsPushed))
        }
        return available
    }

    /// Takes the next response, or nil when there is none yet.
    public func nextResponse() throws(XenError) -> Response? {
        guard try unconsumedResponses() > 0 else { return nil }
        barrier()  // xen_rmb: the index before the entry it covers
        let slot = responseConsumer & (geometry.count - 1)
        let response = page.loadUnaligned(fromByteOffset: entryOffset(slot), as: Response.self)
        responseConsumer &+= 1
        return response
    }

    /// RING_FINAL_CHECK_FOR_RESPONSES: true when responses are waiting; otherwise asks the backend to
    /// notify at the next one (`rsp_event = rsp_cons + 1`) and checks again, closing the race.
    public func finalCheckForResponses() throws(XenError) -> Bool {
        if try unconsumedResponses() > 0 { return true }
        store(SharedRingGeometry.responseEventOffset, responseConsumer &+ 1)
        barrier()  // xen_mb: rsp_event before the second look at rsp_prod
        return try unconsumedResponses() > 0
    }

    /// True once a backend index broke the protocol.
    public var isBroken: Bool { failure != nil }

    private func fail(_ error: XenError) -> XenError {
        failure = error
        return error
    }

    private func entryOffset(_ slot: UInt32) -> Int {
        SharedRingGeometry.entriesOffset + Int(slot) * geometry.entrySize
    }

    private func load(_ offset: Int) -> UInt32 {
        seal_xen_load32(UnsafeRawPointer(page + offset))
    }

    private func store(_ offset: Int, _ value: UInt32) {
        seal_xen_store32(page + offset, value)
    }
}

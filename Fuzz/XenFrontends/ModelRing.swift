/// The back end of an io/ring.h shared ring as the simulated backend drives it: take requests, write responses anywhere it likes.
import Xen

final class ModelRing {
    let page: UnsafeMutableRawPointer
    let geometry: SharedRingGeometry
    /// `req_cons` and `rsp_prod_pvt`: the backend's own indices.
    var requestConsumer: UInt32 = 0
    var responseProducer: UInt32 = 0
    /// The backend wrote a response over a slot whose request it had not taken (a lie), so requests
    /// read from now on may be its own bytes: the checks on the frontend's requests are off.
    private(set) var clobbered = false

    init(page: UnsafeMutableRawPointer, geometry: SharedRingGeometry) {
        self.page = page
        self.geometry = geometry
    }

    // io/ring.h shared header: req_prod, req_event, rsp_prod, rsp_event.
    var requestProducer: UInt32 { page.load(fromByteOffset: 0, as: UInt32.self) }
    var requestEvent: UInt32 {
        get { page.load(fromByteOffset: 4, as: UInt32.self) }
        set { page.storeBytes(of: newValue, toByteOffset: 4, as: UInt32.self) }
    }
    var sharedResponseProducer: UInt32 {
        get { page.load(fromByteOffset: 8, as: UInt32.self) }
        set { page.storeBytes(of: newValue, toByteOffset: 8, as: UInt32.self) }
    }

    private func offset(_ index: UInt32) -> Int {
        SharedRingGeometry.entriesOffset + Int(index & (geometry.count - 1)) * geometry.entrySize
    }

    /// The next request pushed and not taken yet. Requests a lying backend let the front end overwrite
    /// (by answering ahead of them) are skipped.
    func takeRequest<Request>(_ type: Request.Type) -> Request? {
        let producer = requestProducer
        if producer &- requestConsumer > geometry.count {
            requestConsumer = producer &- geometry.count
            clobbered = true
        }
        guard requestConsumer != producer else { return nil }
        let request = page.loadUnaligned(fromByteOffset: offset(requestConsumer), as: Request.self)
        requestConsumer &+= 1
        // RING_FINAL_CHECK_FOR_REQUESTS: ask to be notified of the next one.
        requestEvent = requestConsumer &+ 1
        return request
    }

    /// Writes `response` in the next response slot and publishes rsp_prod.
    func respond<Response>(_ response: Response) {
        if Int32(bitPattern: requestConsumer &- responseProducer) <= 0 { clobbered = true }
        page.storeBytes(of: response, toByteOffset: offset(responseProducer), as: Response.self)
        responseProducer &+= 1
        sharedResponseProducer = responseProducer
    }
}

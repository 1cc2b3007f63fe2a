/// The rings, buffers and bookkeeping behind one netfront, non-generic: the code that touches io/netif.h's C entry types.
///
/// `NetFront<Services>` is generic and Embedded Swift specialises it in the module that instantiates it
/// (the board). A generic body that names `FrontRing<netif_tx_request_t, …>` cannot be carried across
/// modules in Embedded mode with Swift 6.3 (the C structs' implicit `BitwiseCopyable` conformances are
/// not found when the body is deserialised), so every use of the C types lives here, compiled once in
/// this module, and `NetFront` only forwards to it.
import XenABI

public final class NetFrontQueues {
    let transmitRing: NetworkTransmitRing
    let receiveRing: NetworkReceiveRing
    /// Tells the backend about new requests (EVTCHNOP_send on the device's port).
    let notify: () -> Void
    /// Set when the backend broke the protocol.
    public internal(set) var failure: XenError?
    public internal(set) var counters = NetFrontCounters()

    // Receive buffers, indexed by the request id.
    let receivePages: [UnsafeMutableRawPointer]
    let receiveGrants: [GrantReference]
    var receivePosted: [Bool]
    /// The buffer posted in each receive ring slot (request position & (count - 1)).
    var receiveSlotBuffer: [UInt16]
    /// Buffers currently lent to the backend.
    public internal(set) var postedReceiveBuffers = 0
    /// While dropping a multi-slot frame: extra-info slots still to come (netif.h XEN_NETIF_EXTRA_FLAG_MORE).
    var skippingExtraInfo = false
    /// While dropping a multi-slot frame: continuation fragments still to come (NETRXF_more_data).
    var skippingFragments = false

    // Transmit buffers, indexed by the request id.
    let transmitPages: [UnsafeMutableRawPointer]
    let transmitGrants: [GrantReference]
    var transmitInFlight: [Bool]
    /// Ids of the idle transmit buffers (a stack with its capacity reserved: push and pop never allocate).
    var transmitFree: [UInt16]

    /// Slots in a netif tx ring page (io/ring.h __RING_SIZE: 256 with 4 KiB pages).
    public static func transmitRingCapacity() throws(XenError) -> Int {
        Int(try SharedRingGeometry(request: netif_tx_request_t.self, response: netif_tx_response_t.self).count)
    }

    /// Slots in a netif rx ring page (256 with 4 KiB pages).
    public static func receiveRingCapacity() throws(XenError) -> Int {
        Int(try SharedRingGeometry(request: netif_rx_request_t.self, response: netif_rx_response_t.self).count)
    }

    /// Rings over the two (granted, not yet published) ring pages, initialised, with every receive buffer
    /// posted and pushed, without a notification (the backend has not bound the port yet). At most a
    /// ring's capacity of buffers each way.
    public init(transmitRingPage: UnsafeMutableRawPointer, receiveRingPage: UnsafeMutableRawPointer,
                receivePages: [UnsafeMutableRawPointer], receiveGrants: [GrantReference],
                transmitPages: [UnsafeMutableRawPointer], transmitGrants: [GrantReference],
                notify: @escaping () -> Void) throws(XenError) {
        transmitRing = try NetworkTransmitRing(page: transmitRingPage)
        receiveRing = try NetworkReceiveRing(page: receiveRingPage)
        guard receivePages.count == receiveGrants.count, transmitPages.count == transmitGrants.count,
              receivePages.count <= Int(receiveRing.geometry.count), transmitPages.count <= Int(transmitRing.geometry.count),
              transmitPages.count <= Int(UInt16.max) else { throw .invalidArgument }
        transmitRing.initialiseShared()
        receiveRing.initialiseShared()
        self.notify = notify
        self.receivePages = receivePages
        self.receiveGrants = receiveGrants
        receivePosted = Array(repeating: false, count: receivePages.count)
        receiveSlotBuffer = Array(repeating: 0, count: Int(receiveRing.geometry.count))
        self.transmitPages = transmitPages
        self.transmitGrants = transmitGrants
        transmitInFlight = Array(repeating: false, count: transmitPages.count)
        var free: [UInt16] = []
        free.reserveCapacity(transmitPages.count)
        var id = transmitPages.count
        while id > 0 {
            id -= 1
            free.append(UInt16(truncatingIfNeeded: id))  // lowest id handed out first
        }
        transmitFree = free
        for buffer in 0..<receivePages.count { postReceiveBuffer(buffer) }
        _ = try receiveRing.pushRequests()
        if let failure { throw failure }
    }

    /// Transmit buffers the backend has not answered yet.
    public var transmitBuffersInFlight: Int { transmitPages.count - transmitFree.count }

    /// Records the first protocol violation; the device stays failed.
    func fail(_ error: XenError) {
        if failure == nil { failure = error }
    }

    /// Publishes queued requests, if any, and notifies the backend when the push says it asked to be
    /// (io/ring.h RING_PUSH_REQUESTS_AND_CHECK_NOTIFY).
    func push<Request, Response>(_ ring: FrontRing<Request, Response>) {
        guard ring.requestProducer != ring.requestsPushed else { return }  // nothing new: no barriers
        do {
            if try ring.pushRequests() { notify() }
        } catch {
            fail(error)
        }
    }
}

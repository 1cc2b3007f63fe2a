/// What a split-driver frontend (netfront, blkfront, the PV console) needs from the domain it runs in.
///
/// The board implements it with hypercalls, the shared-info page and a xenstore client over the
/// shared ring; host tests implement it with a dictionary for xenstore and a simulated backend that
/// runs inside `wait`. Frontends are generic over it (specialised at build time), so the same ring
/// and handshake code runs on Xen and in `swift test`.
public protocol XenFrontendServices: AnyObject {
    /// This domain's grant table (version 1).
    var grantTable: GrantTable { get }
    /// A zeroed, page-aligned 4 KiB page that may be granted to another domain, or nil when memory
    /// is exhausted. Pages are never given back: a frontend allocates its rings and buffers once.
    func allocateSharedPage() -> UnsafeMutableRawPointer?
    /// The guest frame number of `page` (what a grant entry's `frame` holds).
    func frameNumber(of page: UnsafeRawPointer) -> UInt32
    /// EVTCHNOP_alloc_unbound: a fresh port of this domain that `remoteDomain` may bind to.
    func allocateUnboundPort(remoteDomain: UInt16) throws(XenError) -> UInt32
    /// Routes the events of `port` to `handler` (called from the event loop, not an interrupt) and unmasks it.
    func bind(port: UInt32, handler: @escaping (UInt32) -> Void) throws(XenError)
    /// EVTCHNOP_send on `port`.
    func notify(port: UInt32)
    /// xenstore read (paths without a leading `/` are relative to this domain's home).
    func storeRead(_ path: [UInt8]) throws(XenError) -> [UInt8]
    /// xenstore write.
    func storeWrite(_ path: [UInt8], value: [UInt8]) throws(XenError)
    /// xenstore directory: the names of `path`'s children.
    func storeDirectory(_ path: [UInt8]) throws(XenError) -> [[UInt8]]
    /// Nanoseconds on a monotonic clock.
    var nanoseconds: UInt64 { get }
    /// Idles until an event may have arrived or the clock reaches `deadline` (nanoseconds). Events
    /// bound with `bind` have been dispatched when it returns. In tests, the simulated backend runs here.
    func wait(until deadline: UInt64)
}

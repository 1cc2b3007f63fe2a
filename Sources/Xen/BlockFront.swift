/// The Xen PV block frontend (io/blkif.h): a `BlockDevice` over one shared ring and bounce pages granted once.
///
/// Data moves through bounce pages granted to the backend when the device connects (never per
/// request): a write copies the caller's bytes into them, a read copies them out after the backend
/// answered. A transfer is split into requests of at most BLKIF_MAX_SEGMENTS_PER_REQUEST (11) pages;
/// up to `requestsInFlight` of them are on the ring at once, each with its own pages.
///
/// Units (io/blkif.h "sector-size", "sectors" and the NB above `struct blkif_request_segment`):
/// the backend's `sectors` counts `sector-size` units, which is what `sectorCount` reports; on the
/// ring, `sector_number`, `first_sect` and `last_sect` are 512-byte units, since this frontend does
/// not write `feature-large-sector-size` (every backend, Linux's blkback and QEMU's xen-block
/// included, uses 512-byte units there).
///
/// Hostile backends: every response is checked (its id must be an outstanding request, its operation
/// that request's, its status one io/blkif.h defines) and the ring's indices are checked by
/// `FrontRing`. The first violation is kept in `failure`; from then on every call throws
/// `.protocolViolation` (`.timeout` when the backend went silent) and no further request is made.
/// Waiting is bounded by `requestTimeout` and by a count of wake-ups without progress, so neither a
/// silent backend nor an event storm holds the caller forever.
import Capabilities
import XenABI

public final class BlockFront<Services: XenFrontendServices>: BlockDevice {
    /// io/blkif.h BLKIF_MAX_SEGMENTS_PER_REQUEST: the pages one request may carry.
    public static var segmentsPerRequest: Int { Int(BLKIF_MAX_SEGMENTS_PER_REQUEST) }
    /// blkif's fixed sector unit for `sector_number`, `first_sect` and `last_sect`.
    static var wireSectorSize: Int { 512 }

    public let sectorSize: Int
    public let sectorCount: UInt64
    public let isReadOnly: Bool
    /// The backend offered `feature-flush-cache` (and did not answer a flush with EOPNOTSUPP since).
    public internal(set) var hasFlush: Bool
    /// What broke the device: a backend that lied, or one that went silent. Every call throws once set.
    public private(set) var failure: XenError?
    /// Nanoseconds a request may wait for its answer before the device fails with `.timeout`.
    public var requestTimeout: UInt64 = 10_000_000_000
    /// Wake-ups without any response before the device fails with `.timeout` even if the clock
    /// stalls (an event storm on a board whose clock does not advance).
    public var wakeupLimit = 1 << 20
    /// The longest single `wait`: the ring is checked again at least this often (a lost event costs
    /// at most this much).
    public var pollInterval: UInt64 = 1_000_000

    let services: Services
    let bus: XenBusDevice<Services>
    let ring: BlockRing
    let port: UInt32
    /// blkif_request's `handle`: the device's index, as Linux's blkfront sets it.
    let handle: UInt16
    let ringGrant: GrantReference
    /// `segmentsPerRequest` pages per slot, slot `s` owning pages `s * 11 ..< (s + 1) * 11`.
    let bouncePages: [UnsafeMutableRawPointer]
    let bounceGrants: [GrantReference]
    var slots: [RequestSlot]
    var freeSlots: [Int]
    /// Counts requests, for their ids.
    var requestSequence: UInt64 = 0

    public var backendDomain: UInt16 { bus.backendDomain }
    /// Requests the device keeps on the ring at once.
    public var requestsInFlight: Int { slots.count }
    /// The ring page's grant reference and the event channel, as written to xenstore.
    public var ringReference: GrantReference { ringGrant }
    public var eventChannel: UInt32 { port }

    init(services: Services, bus: XenBusDevice<Services>, ring: BlockRing, port: UInt32, handle: UInt16,
         ringGrant: GrantReference, bouncePages: [UnsafeMutableRawPointer], bounceGrants: [GrantReference],
         properties: BlockFrontProperties) {
        self.services = services
        self.bus = bus
        self.ring = ring
        self.port = port
        self.handle = handle
        self.ringGrant = ringGrant
        self.bouncePages = bouncePages
        self.bounceGrants = bounceGrants
        let slotCount = bouncePages.count / Self.segmentsPerRequest
        slots = Array(repeating: RequestSlot(), count: slotCount)
        freeSlots = Array((0..<slotCount).reversed())
        sectorSize = properties.sectorSize
        sectorCount = properties.sectorCount
        isReadOnly = properties.isReadOnly
        hasFlush = properties.hasFlush
    }

    public func read(sector: UInt64, into buffer: UnsafeMutableRawBufferPointer) throws(BlockError) {
        try checkHealthy()
        try validate(sector: sector, byteCount: buffer.count, writing: false)
        try transfer(operation: UInt8(BLKIF_OP_READ), sector: sector, byteCount: buffer.count,
                     destination: buffer, source: nil)
    }

    public func write(sector: UInt64, from buffer: UnsafeRawBufferPointer) throws(BlockError) {
        try checkHealthy()
        try validate(sector: sector, byteCount: buffer.count, writing: true)
        try transfer(operation: UInt8(BLKIF_OP_WRITE), sector: sector, byteCount: buffer.count,
                     destination: nil, source: buffer)
    }

    /// BLKIF_OP_FLUSH_DISKCACHE with no segments (io/blkif.h: commits the backend's volatile cache).
    public func flush() throws(BlockError) {
        try checkHealthy()
        if isReadOnly { throw .readOnly }
        guard hasFlush else { throw .unsupported }
        try transfer(operation: UInt8(BLKIF_OP_FLUSH_DISKCACHE), sector: 0, byteCount: 0,
                     destination: nil, source: nil)
    }

    func checkHealthy() throws(BlockError) {
        if let failure { throw Self.blockError(for: failure) }
    }

    /// Records the first failure (later ones keep it) and returns what the caller sees.
    func fail(_ error: XenError) -> BlockError {
        if failure == nil { failure = error }
        return Self.blockError(for: failure ?? error)
    }

    static func blockError(for failure: XenError) -> BlockError {
        failure == .blockRequestTimeout ? .timeout : .protocolViolation
    }
}

/// What the backend says about the disk when it connects (io/blkif.h "Backend Device Properties").
struct BlockFrontProperties: Equatable {
    var sectorSize: Int
    var sectorCount: UInt64
    var isReadOnly: Bool
    var hasFlush: Bool
}

/// One request on the ring: which operation, and which bytes of the caller's buffer it carries.
struct RequestSlot {
    var busy = false
    var id: UInt64 = 0
    var operation: UInt8 = 0
    var bufferOffset = 0
    var byteCount = 0
}

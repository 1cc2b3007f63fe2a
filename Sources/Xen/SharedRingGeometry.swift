/// Where a one-page io/ring.h shared ring keeps its indices and entries, and how many entries it has.
///
/// ```
/// 0   req_prod   u32   written by the front end
/// 4   req_event  u32   written by the back end: notify when req_prod passes it
/// 8   rsp_prod   u32   written by the back end
/// 12  rsp_event  u32   written by the front end: notify when rsp_prod passes it
/// 16  padding to 64 (private fields, zero)
/// 64  ring[size]       union of request and response
/// ```
/// Offsets come from the imported `struct netif_tx_sring` (every DEFINE_RING_TYPES ring shares the
/// header); the size is io/ring.h's `__RING_SIZE`: the entries that fit, rounded down to a power of two.
import XenABI

public struct SharedRingGeometry: Equatable {
    /// Bytes of one ring slot: the union of request and response.
    public let entrySize: Int
    /// Slots in the ring, a power of two.
    public let count: UInt32

    static let requestProducerOffset = Int(seal_xen_offset_sring_req_prod())
    static let requestEventOffset = Int(seal_xen_offset_sring_req_event())
    static let responseProducerOffset = Int(seal_xen_offset_sring_rsp_prod())
    static let responseEventOffset = Int(seal_xen_offset_sring_rsp_event())
    /// Offset of `ring[0]`.
    public static let entriesOffset = Int(seal_xen_offset_sring_entries())

    /// The geometry of a ring of `Request`/`Response` entries in `pageSize` bytes; throws `.ringTooSmall`
    /// when not even one entry fits.
    public init<Request, Response>(
        request: Request.Type, response: Response.Type, pageSize: Int = XenMemory.pageSize
    ) throws(XenError) {
        // A C union: the larger member, rounded up to the stricter alignment.
        let alignment = max(MemoryLayout<Request>.alignment, MemoryLayout<Response>.alignment)
        let largest = max(MemoryLayout<Request>.size, MemoryLayout<Response>.size)
        let entrySize = (largest + alignment - 1) / alignment * alignment
        guard entrySize > 0, pageSize > Self.entriesOffset else { throw .ringTooSmall }
        let fitting = (pageSize - Self.entriesOffset) / entrySize
        guard fitting >= 1 else { throw .ringTooSmall }
        var count = 1
        while count * 2 <= fitting && count < (1 << 30) { count *= 2 }
        self.entrySize = entrySize
        self.count = UInt32(count)
    }

    /// Bytes the header and entries take.
    public var byteCount: Int { Self.entriesOffset + entrySize * Int(count) }
}

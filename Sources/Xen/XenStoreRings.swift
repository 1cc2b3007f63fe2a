/// The two 1 KiB byte rings of `struct xenstore_domain_interface` (io/xs_wire.h), with every index xenstored writes checked.
///
/// ```
/// 0     req[1024]   requests, written by the guest
/// 1024  rsp[1024]   replies and watch events, written by xenstored
/// 2048  req_cons  req_prod  rsp_cons  rsp_prod   u32 each (MASK_XENSTORE_IDX: index & 1023)
/// ```
/// The guest owns `req_prod` and `rsp_cons` and keeps its own copies; xenstored's `req_cons` may not
/// fall more than 1024 behind `req_prod` and its `rsp_prod` may not run more than 1024 ahead of
/// `rsp_cons` (`.requestIndicesCorrupt`, `.responseIndicesCorrupt`).
import XenABI

struct XenStoreRings {
    static let size = UInt32(XENSTORE_RING_SIZE)
    private static let requestOffset = Int(seal_xen_offset_xenstore_req())
    private static let responseOffset = Int(seal_xen_offset_xenstore_rsp())
    private static let requestConsumerOffset = Int(seal_xen_offset_xenstore_req_cons())
    private static let requestProducerOffset = Int(seal_xen_offset_xenstore_req_prod())
    private static let responseConsumerOffset = Int(seal_xen_offset_xenstore_rsp_cons())
    private static let responseProducerOffset = Int(seal_xen_offset_xenstore_rsp_prod())

    let interface: UnsafeMutableRawPointer
    let barrier: () -> Void
    private(set) var requestProducer: UInt32
    private(set) var responseConsumer: UInt32

    /// Takes over the rings where an earlier user (firmware, a previous boot stage) left them.
    init(interface: UnsafeMutableRawPointer, barrier: @escaping () -> Void) {
        self.interface = interface
        self.barrier = barrier
        requestProducer = seal_xen_load32(UnsafeRawPointer(interface + Self.requestProducerOffset))
        responseConsumer = seal_xen_load32(UnsafeRawPointer(interface + Self.responseConsumerOffset))
    }

    /// Copies as much of `bytes[start...]` as the request ring has room for; returns the count written.
    mutating func write(_ bytes: [UInt8], from start: Int) throws(XenError) -> Int {
        let consumer = seal_xen_load32(UnsafeRawPointer(interface + Self.requestConsumerOffset))
        barrier()  // xen_mb: req_cons before the bytes it frees are overwritten
        let used = requestProducer &- consumer
        guard used <= Self.size else {
            throw .requestIndicesCorrupt(producer: requestProducer, consumer: consumer)
        }
        let count = min(Int(Self.size - used), bytes.count - start)
        guard count > 0 else { return 0 }
        for offset in 0..<count {
            let index = Int((requestProducer &+ UInt32(offset)) & (Self.size - 1))
            interface.storeBytes(of: bytes[start + offset], toByteOffset: Self.requestOffset + index, as: UInt8.self)
        }
        barrier()  // xen_wmb: the bytes before the index that publishes them
        requestProducer &+= UInt32(count)
        seal_xen_store32(interface + Self.requestProducerOffset, requestProducer)
        return count
    }

    /// Bytes waiting in the response ring, checked.
    func available() throws(XenError) -> UInt32 {
        let producer = seal_xen_load32(UnsafeRawPointer(interface + Self.responseProducerOffset))
        let count = producer &- responseConsumer
        guard count <= Self.size else {
            throw .responseIndicesCorrupt(producer: producer, consumer: responseConsumer)
        }
        return count
    }

    /// Moves up to `limit` bytes (no more than `available()` said) from the response ring to `bytes`.
    mutating func read(into bytes: inout [UInt8], limit: Int, available: UInt32) {
        let count = min(limit, Int(available))
        guard count > 0 else { return }
        barrier()  // xen_rmb: rsp_prod before the bytes it covers
        for offset in 0..<count {
            let index = Int((responseConsumer &+ UInt32(offset)) & (Self.size - 1))
            bytes.append(interface.load(fromByteOffset: Self.responseOffset + index, as: UInt8.self))
        }
        barrier()  // xen_mb: the bytes are copied before rsp_cons frees them
        responseConsumer &+= UInt32(count)
        seal_xen_store32(interface + Self.responseConsumerOffset, responseConsumer)
    }
}

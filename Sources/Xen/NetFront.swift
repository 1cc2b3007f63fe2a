/// netfront: the Xen PV network frontend (io/netif.h) in rx-copy mode, as a `NetworkInterface` over granted pool pages.
///
/// Layout of what it shares with netback, all granted once at `connect` and kept for the device's life
/// (no per-frame grant churn):
///
/// ```
/// tx ring page   granted read-write   netif_tx_sring: {gref, offset, flags, id, size} -> {id, status}
/// rx ring page   granted read-write   netif_rx_sring: {id, gref} -> {id, offset, flags, status}
/// tx buffers     one page each, granted read-only; a frame is at offset 0 of its page
/// rx buffers     one page each, granted read-write; netback copies a frame in at `offset`
/// ```
///
/// Every response is checked (io/netif.h "rx response", "tx response"): a tx id that is not in flight,
/// or an rx id that is not the buffer posted in that ring slot (netif.h: responses stay in their
/// request's slot), breaks the device for good (`failure`); a frame netfront cannot take (an error
/// status, a length or offset outside the page or beyond the MTU, a multi-slot frame: SG and GSO are not
/// negotiated) is dropped, counted, and its buffer posted again. Work per call is bounded by the ring
/// size, whatever the backend writes; the data paths allocate nothing. The ring work is in the
/// non-generic `NetFrontQueues`; this class holds the XenBus side and forwards.
import Capabilities

public final class NetFront<Services: XenFrontendServices>: NetworkInterface {
    let services: Services
    let device: XenBusDevice<Services>
    /// Rings, buffers and counters.
    public let queues: NetFrontQueues
    /// From `device/vif/<index>/mac`.
    public let macAddress: MACAddress
    public var maximumTransmissionUnit: Int { NetFrontLimits.maximumTransmissionUnit }
    /// The domain netback runs in.
    public var backendDomain: UInt16 { device.backendDomain }
    /// The event channel shared by both rings (the xenstore key `event-channel`).
    public let eventPort: UInt32
    /// Grant references of the two ring pages (`tx-ring-ref`, `rx-ring-ref`).
    public let transmitRingReference: GrantReference
    public let receiveRingReference: GrantReference

    init(services: Services, device: XenBusDevice<Services>, queues: NetFrontQueues, macAddress: MACAddress,
         eventPort: UInt32, transmitRingReference: GrantReference, receiveRingReference: GrantReference) {
        self.services = services
        self.device = device
        self.queues = queues
        self.macAddress = macAddress
        self.eventPort = eventPort
        self.transmitRingReference = transmitRingReference
        self.receiveRingReference = receiveRingReference
    }

    /// Set when the backend broke the protocol; from then on `receive` returns nil and `transmit` false.
    public var failure: XenError? { queues.failure }
    /// Frames and drops since `connect`.
    public var counters: NetFrontCounters { queues.counters }
    /// Receive buffers lent to the backend: `receiveBufferCount` except inside `receive`'s closure.
    public var postedReceiveBuffers: Int { queues.postedReceiveBuffers }
    public var receiveBufferCount: Int { queues.receivePages.count }
    public var transmitBufferCount: Int { queues.transmitPages.count }
    /// Transmit buffers the backend has not answered yet.
    public var transmitBuffersInFlight: Int { queues.transmitBuffersInFlight }

    /// Lends the next received frame to `body`, or returns nil when none is waiting (or the device failed).
    /// Slots that hold no deliverable frame are dropped on the way, counted, and their buffers posted again.
    public func receive<Result>(_ body: (UnsafeRawBufferPointer) -> Result) -> Result? {
        guard let frame = queues.takeFrame() else { return nil }
        let result = body(frame.bytes)
        queues.finishFrame(frame)
        return result
    }

    /// Lends an idle transmit page to `fill` and queues `length` bytes of it to the backend. Returns false
    /// without calling `fill` when `length` is outside 14...1514, no buffer or slot is idle, or the device failed.
    /// Never waits for the backend.
    public func transmit(length: Int, _ fill: (UnsafeMutableRawBufferPointer) -> Void) -> Bool {
        queues.transmit(length: length, fill)
    }
}

/// netfront's frame sizes.
public enum NetFrontLimits {
    /// The largest Ethernet payload.
    public static let maximumTransmissionUnit = 1500
    /// The largest frame: the MTU plus the 14-byte Ethernet header (no FCS, no VLAN tag).
    public static let maximumFrame = 1514
    /// The smallest frame netfront sends: an Ethernet header (netback answers shorter ones with an error).
    public static let minimumFrame = 14
}

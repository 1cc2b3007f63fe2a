/// What netfront counts for the board's log and the tests: frames each way and the drops, by cause.
public struct NetFrontCounters: Equatable {
    /// Frames lent to `receive`'s closure.
    public var framesReceived = 0
    /// Frames handed to the backend by `transmit`.
    public var framesTransmitted = 0
    /// Received frames dropped: an error status from the backend (io/netif.h NETIF_RSP_*).
    public var receiveErrors = 0
    /// Received frames dropped: empty, longer than the MTU allows, or not inside their page.
    public var receiveMalformed = 0
    /// Received frames dropped because they took several slots (NETRXF_more_data / NETRXF_extra_info /
    /// NETRXF_gso_prefix: scatter-gather and GSO are not negotiated), counted once per frame.
    public var receiveMultiSlot = 0
    /// Transmitted frames the backend answered with NETIF_RSP_ERROR, NETIF_RSP_DROPPED or another non-OKAY status.
    public var transmitErrors = 0
    /// `transmit` calls refused: no idle transmit buffer or ring slot.
    public var transmitBusy = 0
    /// `transmit` calls refused: a length outside 14...1514.
    public var transmitRejected = 0

    public init() {}

    /// Every frame lost on either path: received frames dropped plus transmit errors.
    public var framesDropped: Int { receiveErrors + receiveMalformed + receiveMultiSlot + transmitErrors }
}

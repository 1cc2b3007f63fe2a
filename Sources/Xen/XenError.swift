/// The one error type of the Xen module: every way the other side (Xen, xenstored, a backend) can break the protocol.
public enum XenError: Error, Equatable {
    // Shared rings (io/ring.h).
    /// The page cannot hold even one entry of the ring's request/response union.
    case ringTooSmall
    /// No free request slot: wait for responses.
    case ringFull
    /// The backend's `rsp_prod` is more than the ring's size ahead of the responses consumed.
    case responseProducerBeyondRing(producer: UInt32, consumer: UInt32)
    /// The backend's `rsp_prod` answers requests that were never pushed.
    case responsesPastRequests(producer: UInt32, requested: UInt32)

    // Xenstore (io/xs_wire.h).
    /// xenstored answered `XS_ERROR` with this errno name.
    case xenStore(XenStoreErrorCode)
    /// A request whose payload would exceed `XENSTORE_PAYLOAD_MAX`, or a path/value with a NUL byte.
    case requestTooLong
    /// A path, value or token that contains a NUL byte (the wire's separator).
    case invalidArgument
    /// Too many requests outstanding (bounded memory): collect replies first.
    case tooManyRequests
    /// `reply(for:)` with an id that is not outstanding (never issued or already collected).
    case unknownRequest(UInt32)
    /// A message header whose `len` exceeds `XENSTORE_PAYLOAD_MAX`.
    case payloadTooLong(UInt32)
    /// A message header whose type is not one xenstored sends.
    case unknownMessageType(UInt32)
    /// A reply with a `req_id` no outstanding request has.
    case unexpectedReply(requestID: UInt32)
    /// A reply whose type or transaction id does not match its request.
    case replyMismatch(requestID: UInt32)
    /// A reply or watch event whose payload does not have the form its type requires.
    case malformedReply
    /// xenstored's `req_cons` is more than the ring's size behind our `req_prod` (it consumed bytes never written).
    case requestIndicesCorrupt(producer: UInt32, consumer: UInt32)
    /// xenstored's `rsp_prod` is more than the ring's size ahead of our `rsp_cons`.
    case responseIndicesCorrupt(producer: UInt32, consumer: UInt32)

    // Event channels (2-level ABI, xen.h shared_info).
    /// A port outside the table (or the ABI's 4096 ports).
    case invalidPort(UInt32)
    /// `bind` on a port that already has a handler.
    case portAlreadyBound(UInt32)

    // Grant tables (grant_table.h, version 1).
    /// Every grant reference is in use.
    case grantTableFull
    /// A reference that is reserved, outside the table or not currently granted.
    case invalidGrantReference(UInt32)
    /// The backend still has the frame mapped (`GTF_reading`/`GTF_writing`): end access later.
    case grantInUse(UInt32)

    // XenBus handshakes (io/xenbus.h) and the frontends built on them.
    /// A xenstore value that should be a decimal number, a state or a MAC is not one.
    case malformedStoreValue
    /// No such device under `device/<kind>/`.
    case deviceMissing
    /// The backend did not reach the state we wait for in time.
    case handshakeTimeout
    /// The backend went to Closing or Closed while we waited for it.
    case backendClosed
    /// The backend answered with something impossible (a response id never issued, a bad status or length).
    case backendProtocolViolation
    /// A hypercall returned this negative errno.
    case hypercallFailed(Int32)
    /// Out of memory for shared pages.
    case outOfMemory

    // blkfront (io/blkif.h) and the PV console (io/console.h).
    /// The backend's `sector-size` is not a power of two from 512 to 4096.
    case blockSectorSizeUnsupported(UInt64)
    /// The backend's `sectors` is missing, zero, or `sectors * sector-size` overflows 64 bits.
    case blockDeviceSizeInvalid
    /// A blkif response whose id is not an outstanding request (never issued, or answered already).
    case blockResponseUnexpected(id: UInt64)
    /// A blkif response whose operation is not its request's.
    case blockResponseMismatch(id: UInt64, operation: UInt8)
    /// A blkif response status that is not BLKIF_RSP_OKAY, _ERROR or _EOPNOTSUPP.
    case blockResponseStatusUnknown(Int16)
    /// The backend did not answer a request in time; the ring's state is unknown.
    case blockRequestTimeout
    /// The console's `out_cons` is more than the out ring's size behind `out_prod`, or ahead of it.
    case consoleOutputIndicesCorrupt(producer: UInt32, consumer: UInt32)
    /// The console's `in_prod` is more than the in ring's size ahead of `in_cons`.
    case consoleInputIndicesCorrupt(producer: UInt32, consumer: UInt32)
    /// The console daemon did not drain the out ring in time.
    case consoleTimeout

    // netfront (io/netif.h).
    /// The backend does not offer `feature-rx-copy`, the only receive mode netfront speaks.
    case backendLacksReceiveCopy
}

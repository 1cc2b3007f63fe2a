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
}

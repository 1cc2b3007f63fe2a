/// The 16-byte header of every xenstore message (io/xs_wire.h `struct xsd_sockmsg`), parsed and checked.
///
/// ```
/// 0   type     u32   XS_READ, XS_WRITE, ..., XS_WATCH_EVENT, XS_ERROR
/// 4   req_id   u32   echoed in the reply
/// 8   tx_id    u32   transaction, 0 for none; echoed in the reply
/// 12  len      u32   payload bytes that follow, at most XENSTORE_PAYLOAD_MAX (4096)
/// ```
/// Little-endian: the guest's own byte order on ARM, and the host's in tests.
import XenABI

public struct XenStoreMessageHeader: Equatable {
    public static let byteCount = MemoryLayout<xsd_sockmsg>.size
    public static let payloadLimit = Int(XENSTORE_PAYLOAD_MAX)

    public var type: UInt32
    public var requestID: UInt32
    public var transactionID: UInt32
    public var length: UInt32

    public init(type: UInt32, requestID: UInt32, transactionID: UInt32, length: UInt32) {
        self.type = type
        self.requestID = requestID
        self.transactionID = transactionID
        self.length = length
    }

    /// Parses the first `byteCount` bytes of `bytes` (which must hold them) and checks the length;
    /// the type is checked by the client, which knows what it expects.
    public init(parsing bytes: ArraySlice<UInt8>) throws(XenError) {
        guard bytes.count >= Self.byteCount else { throw .malformedReply }
        func word(_ offset: Int) -> UInt32 {
            let base = bytes.startIndex + offset
            return UInt32(bytes[base]) | UInt32(bytes[base + 1]) << 8
                | UInt32(bytes[base + 2]) << 16 | UInt32(bytes[base + 3]) << 24
        }
        type = word(0)
        requestID = word(4)
        transactionID = word(8)
        length = word(12)
        guard length <= UInt32(Self.payloadLimit) else { throw .payloadTooLong(length) }
    }

    /// Appends the 16 header bytes to `bytes`.
    public func emit(into bytes: inout [UInt8]) {
        for word in [type, requestID, transactionID, length] {
            bytes.append(UInt8(truncatingIfNeeded: word))
            bytes.append(UInt8(truncatingIfNeeded: word >> 8))
            bytes.append(UInt8(truncatingIfNeeded: word >> 16))
            bytes.append(UInt8(truncatingIfNeeded: word >> 24))
        }
    }
}

/// A xenstore request and its wire payload (docs/misc/xenstore.txt: NUL-separated fields, values unterminated).
import XenABI

public enum XenStoreRequest: Equatable {
    /// `XS_READ path|` → the value.
    case read(path: [UInt8])
    /// `XS_WRITE path|value` → OK.
    case write(path: [UInt8], value: [UInt8])
    /// `XS_MKDIR path|` → OK.
    case makeDirectory(path: [UInt8])
    /// `XS_RM path|` → OK.
    case remove(path: [UInt8])
    /// `XS_DIRECTORY path|` → the children's names.
    case directory(path: [UInt8])
    /// `XS_WATCH path|token|` → OK; events arrive as `XS_WATCH_EVENT path|token|`.
    case watch(path: [UInt8], token: [UInt8])
    /// `XS_UNWATCH path|token|` → OK.
    case unwatch(path: [UInt8], token: [UInt8])
    /// `XS_TRANSACTION_START |` → the new transaction id, in decimal.
    case transactionStart
    /// `XS_TRANSACTION_END T|` (commit) or `F|` (abort) → OK, or EAGAIN when a commit conflicted.
    case transactionEnd(commit: Bool)
    /// `XS_GET_DOMAIN_PATH domid|` → the domain's home path.
    case getDomainPath(domain: UInt16)

    /// The XS_* message type.
    public var type: UInt32 {
        switch self {
        case .read: return XS_READ.rawValue
        case .write: return XS_WRITE.rawValue
        case .makeDirectory: return XS_MKDIR.rawValue
        case .remove: return XS_RM.rawValue
        case .directory: return XS_DIRECTORY.rawValue
        case .watch: return XS_WATCH.rawValue
        case .unwatch: return XS_UNWATCH.rawValue
        case .transactionStart: return XS_TRANSACTION_START.rawValue
        case .transactionEnd: return XS_TRANSACTION_END.rawValue
        case .getDomainPath: return XS_GET_DOMAIN_PATH.rawValue
        }
    }

    /// The payload bytes; throws `.invalidArgument` when a field holds a NUL (the separator) and
    /// `.requestTooLong` beyond `XENSTORE_PAYLOAD_MAX`.
    public func payload() throws(XenError) -> [UInt8] {
        var bytes: [UInt8] = []
        switch self {
        case .read(let path), .makeDirectory(let path), .remove(let path), .directory(let path):
            try Self.appendField(path, terminated: true, to: &bytes)
        case .write(let path, let value):
            try Self.appendField(path, terminated: true, to: &bytes)
            guard value.count <= XenStoreMessageHeader.payloadLimit else { throw .requestTooLong }
            bytes += value  // a value may hold any bytes, NUL included; its length is in the header
        case .watch(let path, let token), .unwatch(let path, let token):
            try Self.appendField(path, terminated: true, to: &bytes)
            try Self.appendField(token, terminated: true, to: &bytes)
        case .transactionStart:
            bytes.append(0)
        case .transactionEnd(let commit):
            bytes.append(commit ? UInt8(ascii: "T") : UInt8(ascii: "F"))
            bytes.append(0)
        case .getDomainPath(let domain):
            Self.appendDecimal(UInt32(domain), to: &bytes)
            bytes.append(0)
        }
        guard bytes.count <= XenStoreMessageHeader.payloadLimit else { throw .requestTooLong }
        return bytes
    }

    private static func appendField(_ field: [UInt8], terminated: Bool, to bytes: inout [UInt8]) throws(XenError) {
        guard field.count <= XenStoreMessageHeader.payloadLimit else { throw .requestTooLong }
        for byte in field where byte == 0 { throw .invalidArgument }
        bytes += field
        if terminated { bytes.append(0) }
    }

    static func appendDecimal(_ value: UInt32, to bytes: inout [UInt8]) {
        var digits: [UInt8] = []
        var rest = value
        repeat {
            digits.append(UInt8(ascii: "0") + UInt8(rest % 10))
            rest /= 10
        } while rest > 0
        bytes += digits.reversed()
    }
}

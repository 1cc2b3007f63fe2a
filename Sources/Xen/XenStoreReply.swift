/// A xenstore reply and watch event, parsed from a message payload whose length the header already checked.
import XenABI

public enum XenStoreReply: Equatable {
    /// `XS_WRITE`, `XS_MKDIR`, `XS_RM`, `XS_WATCH`, `XS_UNWATCH`, `XS_TRANSACTION_END`: "OK".
    case ok
    /// `XS_READ`: the value as stored; `XS_GET_DOMAIN_PATH`: the path without its NUL.
    case value([UInt8])
    /// `XS_DIRECTORY`: the children's names.
    case names([[UInt8]])
    /// `XS_TRANSACTION_START`: the transaction id to put in later headers.
    case transaction(UInt32)

    /// Parses the payload of a reply to a request of `type` (not `XS_ERROR`).
    init(type: UInt32, payload: ArraySlice<UInt8>) throws(XenError) {
        switch type {
        case XS_READ.rawValue:
            self = .value(Array(payload))
        case XS_GET_DOMAIN_PATH.rawValue:
            var path = payload
            if path.last == 0 { path = path.dropLast() }
            self = .value(Array(path))
        case XS_DIRECTORY.rawValue:
            self = .names(try Self.fields(payload))
        case XS_TRANSACTION_START.rawValue:
            self = .transaction(try Self.decimal(payload))
        default:
            // "OK" with or without its NUL.
            var text = payload
            if text.last == 0 { text = text.dropLast() }
            guard text.elementsEqual([UInt8(ascii: "O"), UInt8(ascii: "K")]) else { throw .malformedReply }
            self = .ok
        }
    }

    /// NUL-terminated fields; an empty payload is no fields, a missing final NUL is malformed.
    static func fields(_ payload: ArraySlice<UInt8>) throws(XenError) -> [[UInt8]] {
        guard !payload.isEmpty else { return [] }
        guard payload.last == 0 else { throw .malformedReply }
        var result: [[UInt8]] = []
        var start = payload.startIndex
        for index in payload.indices where payload[index] == 0 {
            result.append(Array(payload[start..<index]))
            start = index + 1
        }
        return result
    }

    /// A decimal UInt32, optionally NUL-terminated, without overflow.
    static func decimal(_ payload: ArraySlice<UInt8>) throws(XenError) -> UInt32 {
        var digits = payload
        if digits.last == 0 { digits = digits.dropLast() }
        guard !digits.isEmpty, digits.count <= 10 else { throw .malformedReply }
        var value: UInt32 = 0
        for digit in digits {
            guard digit >= UInt8(ascii: "0"), digit <= UInt8(ascii: "9") else { throw .malformedReply }
            let (times, overflowA) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflowB) = times.addingReportingOverflow(UInt32(digit - UInt8(ascii: "0")))
            guard !overflowA, !overflowB else { throw .malformedReply }
            value = sum
        }
        return value
    }
}

/// An `XS_WATCH_EVENT`: the path that changed and the token given to `XS_WATCH`.
public struct XenStoreWatchEvent: Equatable {
    public var path: [UInt8]
    public var token: [UInt8]

    public init(path: [UInt8], token: [UInt8]) {
        self.path = path
        self.token = token
    }

    /// `path|token|`: at least two NUL-terminated fields (later ones are ignored, as Linux does).
    init(payload: ArraySlice<UInt8>) throws(XenError) {
        let fields = try XenStoreReply.fields(payload)
        guard fields.count >= 2 else { throw .malformedReply }
        path = fields[0]
        token = fields[1]
    }
}

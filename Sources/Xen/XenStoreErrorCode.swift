/// The errno names xenstored sends in an `XS_ERROR` reply (io/xs_wire.h `xsd_errors`), parsed from the payload bytes.
public enum XenStoreErrorCode: Equatable {
    case invalidArgument        // EINVAL
    case accessDenied           // EACCES
    case exists                 // EEXIST
    case isDirectory            // EISDIR
    case noEntry                // ENOENT
    case outOfMemory            // ENOMEM
    case noSpace                // ENOSPC
    case inputOutput            // EIO
    case notEmpty               // ENOTEMPTY
    case notImplemented         // ENOSYS
    case readOnly               // EROFS
    case busy                   // EBUSY
    case tryAgain               // EAGAIN: a transaction conflicted; start it again
    case alreadyConnected       // EISCONN
    case tooBig                 // E2BIG
    case notPermitted           // EPERM
    /// A name not in xs_wire.h's table.
    case other

    private static let names: [(StaticString, XenStoreErrorCode)] = [
        ("EINVAL", .invalidArgument), ("EACCES", .accessDenied), ("EEXIST", .exists),
        ("EISDIR", .isDirectory), ("ENOENT", .noEntry), ("ENOMEM", .outOfMemory),
        ("ENOSPC", .noSpace), ("EIO", .inputOutput), ("ENOTEMPTY", .notEmpty),
        ("ENOSYS", .notImplemented), ("EROFS", .readOnly), ("EBUSY", .busy),
        ("EAGAIN", .tryAgain), ("EISCONN", .alreadyConnected), ("E2BIG", .tooBig),
        ("EPERM", .notPermitted),
    ]

    /// The code for an `XS_ERROR` payload: the name, usually NUL-terminated.
    public init(payload: ArraySlice<UInt8>) {
        var name = payload
        if name.last == 0 { name = name.dropLast() }
        for (text, code) in Self.names where Self.equal(name, text) {
            self = code
            return
        }
        self = .other
    }

    private static func equal(_ bytes: ArraySlice<UInt8>, _ text: StaticString) -> Bool {
        guard bytes.count == text.utf8CodeUnitCount else { return false }
        var index = bytes.startIndex
        for offset in 0..<text.utf8CodeUnitCount {
            if bytes[index] != text.utf8Start[offset] { return false }
            index += 1
        }
        return true
    }
}

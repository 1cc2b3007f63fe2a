/// Request methods this server implements, and sets of them for the Allow field (RFC 9110 §9).

/// A method the server implements. Any other token is answered 501 by the parser
/// (RFC 9110 §9.1: "An origin server that receives a request method that is unrecognized or
/// not implemented SHOULD respond with the 501 (Not Implemented) status code"). CONNECT is
/// left out on purpose: this is an origin server, not a proxy.
public enum HTTPMethod: UInt8, CaseIterable, Sendable {
    case get, head, post, put, delete, options, trace, patch

    /// The method as sent on the wire; methods are case-sensitive (RFC 9110 §9.1).
    public var name: StaticString {
        switch self {
        case .get: return "GET"
        case .head: return "HEAD"
        case .post: return "POST"
        case .put: return "PUT"
        case .delete: return "DELETE"
        case .options: return "OPTIONS"
        case .trace: return "TRACE"
        case .patch: return "PATCH"
        }
    }

    /// The method spelled by `token` exactly (case-sensitively), or nil.
    public init?(token: UnsafeRawBufferPointer) {
        for method in HTTPMethod.allCases where ASCII.equals(token, method.name) {
            self = method
            return
        }
        return nil
    }
}

/// A set of methods, as listed in a 405 response's Allow field (RFC 9110 §10.2.1).
public struct HTTPMethodSet: OptionSet, Sendable {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    /// The set holding just `method`.
    public init(_ method: HTTPMethod) { rawValue = 1 << UInt16(method.rawValue) }

    /// Whether `method` is in the set.
    public func contains(_ method: HTTPMethod) -> Bool { contains(HTTPMethodSet(method)) }

    /// Adds `method` to the set.
    public mutating func insert(_ method: HTTPMethod) { formUnion(HTTPMethodSet(method)) }
}

/// The protocol version of a request: HTTP/1.0 or HTTP/1.1 (RFC 9112 §2.3).
public enum HTTPVersion: Sendable {
    /// HTTP/1.0: connections close after each response unless the client asks for keep-alive.
    case http1_0
    /// HTTP/1.1, also used for 1.2…1.9 (RFC 9110 §6.2: process a higher minor version as the
    /// highest minor version the recipient implements).
    case http1_1
}

/// The request a handler sees: a view over the parser's stored head and the collected body.

/// A complete request, lent to a handler for the duration of one call.
///
/// Every buffer in it points into the connection's storage, which the next request reuses:
/// copy out what must outlive the handler call.
public struct HTTPRequest {
    public let method: HTTPMethod
    public let version: HTTPVersion
    /// The request-target exactly as received (RFC 9112 §3.2).
    public let target: UnsafeRawBufferPointer
    /// The path of the target, still percent-encoded: "/" for an absolute-form target with
    /// an empty path (RFC 9112 §3.2.2), "*" for the asterisk-form (RFC 9112 §3.2.4).
    public let path: UnsafeRawBufferPointer
    /// The query after "?", without the "?", or nil when the target has none.
    public let query: UnsafeRawBufferPointer?
    /// The authority of an absolute-form target, else the Host field value (RFC 9112 §3.2.2:
    /// the target's authority replaces Host). Nil only for an HTTP/1.0 request without Host.
    public let host: UnsafeRawBufferPointer?
    /// Every field line of the header section, in order.
    public let headers: HTTPHeaders
    /// The content, de-chunked.
    public let body: UnsafeRawBufferPointer
    /// Whether the connection stays open after the response, from the version and the
    /// Connection field (RFC 9112 §9.3).
    public let keepAlive: Bool
    /// Which connection the request came on (`HTTPConnection.identifier`): the key for state
    /// a handler keeps across `contentHandling`, `receiveContent` and `respond`.
    public var connection = 0
    /// The content length the head announced, or nil for chunked content or none.
    public var contentLength: Int? = nil

    public init(method: HTTPMethod, version: HTTPVersion, target: UnsafeRawBufferPointer,
                path: UnsafeRawBufferPointer, query: UnsafeRawBufferPointer?,
                host: UnsafeRawBufferPointer?, headers: HTTPHeaders,
                body: UnsafeRawBufferPointer, keepAlive: Bool) {
        self.method = method
        self.version = version
        self.target = target
        self.path = path
        self.query = query
        self.host = host
        self.headers = headers
        self.body = body
        self.keepAlive = keepAlive
    }

    /// The value of the first field named `name` (case-insensitively), or nil.
    public func header(_ name: StaticString) -> UnsafeRawBufferPointer? {
        headers.first(name)
    }

    /// Whether the path is exactly `text`.
    public func pathEquals(_ text: StaticString) -> Bool {
        ASCII.equals(path, text)
    }
}

/// One field line: name as received, value without surrounding whitespace (RFC 9110 §5.5).
public struct HTTPField {
    public let name: UnsafeRawBufferPointer
    public let value: UnsafeRawBufferPointer
}

/// Where a stored field's name and value lie in the parser's head storage.
struct FieldLocation {
    var nameStart: Int32
    var nameEnd: Int32
    var valueStart: Int32
    var valueEnd: Int32
}

/// The field lines of a request, in received order, looked up case-insensitively.
public struct HTTPHeaders: RandomAccessCollection {
    let storage: UnsafeRawBufferPointer
    let locations: UnsafePointer<FieldLocation>?
    public let count: Int

    init(storage: UnsafeRawBufferPointer, locations: UnsafePointer<FieldLocation>?, count: Int) {
        self.storage = storage
        self.locations = locations
        self.count = locations == nil ? 0 : count
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { count }

    /// The field at `position`; positions outside `0..<count` give an empty field.
    public subscript(position: Int) -> HTTPField {
        guard let locations, position >= 0 && position < count else {
            return HTTPField(name: UnsafeRawBufferPointer(start: nil, count: 0),
                             value: UnsafeRawBufferPointer(start: nil, count: 0))
        }
        let location = locations[position]
        return HTTPField(
            name: UnsafeRawBufferPointer(rebasing: storage[Int(location.nameStart)..<Int(location.nameEnd)]),
            value: UnsafeRawBufferPointer(rebasing: storage[Int(location.valueStart)..<Int(location.valueEnd)]))
    }

    /// The value of the first field named `name`, compared case-insensitively (RFC 9110 §5.1).
    public func first(_ name: StaticString) -> UnsafeRawBufferPointer? {
        for field in self where ASCII.equalsIgnoringCase(field.name, name) {
            return field.value
        }
        return nil
    }

    /// Whether any field is named `name`.
    public func contains(_ name: StaticString) -> Bool {
        first(name) != nil
    }
}

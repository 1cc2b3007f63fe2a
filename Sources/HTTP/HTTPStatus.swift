/// Response status codes with their reason phrases (RFC 9110 §15).

/// A status code and the reason phrase sent after it on the status line (RFC 9112 §4).
public struct HTTPStatus: Equatable, Sendable {
    /// The three-digit code, 100…999.
    public let code: UInt16
    /// The reason phrase; clients ignore it (RFC 9112 §4), but it keeps traces readable.
    public let reason: StaticString

    /// A status of your own; `code` is clamped to 100…999 so the status line stays three digits.
    public init(code: UInt16, reason: StaticString) {
        self.code = Swift.min(Swift.max(code, 100), 999)
        self.reason = reason
    }

    /// Statuses are equal when their codes are; the reason phrase is decoration.
    public static func == (left: HTTPStatus, right: HTTPStatus) -> Bool { left.code == right.code }

    /// Whether a response with this status never has content: 1xx, 204 and 304
    /// (RFC 9110 §6.4.1), so it carries no Content-Length (RFC 9110 §8.6).
    public var forbidsContent: Bool { code < 200 || code == 204 || code == 304 }

    // 1xx (RFC 9110 §15.2)
    public static let `continue` = HTTPStatus(code: 100, reason: "Continue")
    // 2xx (RFC 9110 §15.3)
    public static let ok = HTTPStatus(code: 200, reason: "OK")
    public static let created = HTTPStatus(code: 201, reason: "Created")
    public static let noContent = HTTPStatus(code: 204, reason: "No Content")
    public static let partialContent = HTTPStatus(code: 206, reason: "Partial Content")
    // 3xx (RFC 9110 §15.4)
    public static let movedPermanently = HTTPStatus(code: 301, reason: "Moved Permanently")
    public static let found = HTTPStatus(code: 302, reason: "Found")
    public static let notModified = HTTPStatus(code: 304, reason: "Not Modified")
    // 4xx (RFC 9110 §15.5, RFC 6585 §5)
    public static let badRequest = HTTPStatus(code: 400, reason: "Bad Request")
    public static let forbidden = HTTPStatus(code: 403, reason: "Forbidden")
    public static let notFound = HTTPStatus(code: 404, reason: "Not Found")
    public static let methodNotAllowed = HTTPStatus(code: 405, reason: "Method Not Allowed")
    public static let requestTimeout = HTTPStatus(code: 408, reason: "Request Timeout")
    public static let conflict = HTTPStatus(code: 409, reason: "Conflict")
    public static let lengthRequired = HTTPStatus(code: 411, reason: "Length Required")
    public static let contentTooLarge = HTTPStatus(code: 413, reason: "Content Too Large")
    public static let uriTooLong = HTTPStatus(code: 414, reason: "URI Too Long")
    public static let rangeNotSatisfiable = HTTPStatus(code: 416, reason: "Range Not Satisfiable")
    public static let expectationFailed = HTTPStatus(code: 417, reason: "Expectation Failed")
    public static let requestHeaderFieldsTooLarge = HTTPStatus(code: 431, reason: "Request Header Fields Too Large")
    // 5xx (RFC 9110 §15.6)
    public static let insufficientStorage = HTTPStatus(code: 507, reason: "Insufficient Storage")
    public static let internalServerError = HTTPStatus(code: 500, reason: "Internal Server Error")
    public static let notImplemented = HTTPStatus(code: 501, reason: "Not Implemented")
    public static let serviceUnavailable = HTTPStatus(code: 503, reason: "Service Unavailable")
    public static let httpVersionNotSupported = HTTPStatus(code: 505, reason: "HTTP Version Not Supported")
}

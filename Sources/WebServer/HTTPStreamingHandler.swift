/// Handlers that may answer with generated content of any length, sent as TCP makes room.

import HTTP

/// Content produced on demand, in order, a buffer at a time.
public protocol HTTPBodySource {
    /// Writes content bytes `offset ..< offset + buffer.count` into `buffer`. Calls come in
    /// increasing, contiguous order and never go past the announced length. Returns false
    /// when the content cannot be produced (a disk error): the head has gone out, so the
    /// server can only end the connection, and the client sees the content cut short.
    mutating func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) -> Bool
}

/// `Content-Range: bytes first-last/completeLength` of a 206 response (RFC 9110 §14.4).
public struct HTTPContentRange: Sendable, Equatable {
    public var first: UInt64
    public var last: UInt64
    public var completeLength: UInt64

    public init(first: UInt64, last: UInt64, completeLength: UInt64) {
        self.first = first
        self.last = last
        self.completeLength = completeLength
    }
}

/// A response whose head the server writes and whose content comes from `body`.
public struct HTTPStreamedResponse<Body: HTTPBodySource> {
    public var status: HTTPStatus
    public var contentType: StaticString?
    /// Bytes of content; announced in Content-Length (RFC 9112 §6.3: the message ends after
    /// exactly this many bytes, so the connection can stay open).
    public var contentLength: Int
    public var body: Body
    /// Sends `Accept-Ranges: bytes` (RFC 9110 §14.3): the resource answers Range requests.
    public var acceptsRanges = false
    /// The part of the representation a 206 carries.
    public var contentRange: HTTPContentRange? = nil

    public init(status: HTTPStatus = .ok, contentType: StaticString?, contentLength: Int, body: Body) {
        self.status = status
        self.contentType = contentType
        self.contentLength = Swift.max(contentLength, 0)
        self.body = body
    }
}

/// A handler the server asks first whether to stream a response.
///
/// For each complete request the server calls `streamedResponse(to:)`; when it returns nil,
/// `respond(to:with:)` writes the response as usual. Any `HTTPHandler` becomes one by
/// declaring the conformance: with `Body == HTTPNoStreamedBody` the default answers nil.
public protocol HTTPStreamingHandler: HTTPHandler {
    associatedtype Body: HTTPBodySource
    /// A streamed answer to `request`, or nil to answer through `respond(to:with:)`.
    /// Must not keep `request`'s buffers.
    mutating func streamedResponse(to request: HTTPRequest) -> HTTPStreamedResponse<Body>?
}

/// The content type of handlers that never stream.
public enum HTTPNoStreamedBody: HTTPBodySource {
    public mutating func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) -> Bool { false }
}

extension HTTPStreamingHandler where Body == HTTPNoStreamedBody {
    public mutating func streamedResponse(to request: HTTPRequest) -> HTTPStreamedResponse<HTTPNoStreamedBody>? {
        nil
    }
}

extension HTTPRouter: HTTPStreamingHandler {
    public typealias Body = HTTPNoStreamedBody
}

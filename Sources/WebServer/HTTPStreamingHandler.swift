/// Handlers that may answer with generated content of any length, sent as TCP makes room.

import HTTP

/// Content produced on demand, in order, a buffer at a time.
public protocol HTTPBodySource {
    /// Writes content bytes `offset ..< offset + buffer.count` into `buffer`. Calls come in
    /// increasing, contiguous order and never go past the announced length.
    mutating func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int)
}

/// A response whose head the server writes and whose content comes from `body`.
public struct HTTPStreamedResponse<Body: HTTPBodySource> {
    public var status: HTTPStatus
    public var contentType: StaticString?
    /// Bytes of content; announced in Content-Length (RFC 9112 §6.3: the message ends after
    /// exactly this many bytes, so the connection can stay open).
    public var contentLength: Int
    public var body: Body

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
    public mutating func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) {}
}

extension HTTPStreamingHandler where Body == HTTPNoStreamedBody {
    public mutating func streamedResponse(to request: HTTPRequest) -> HTTPStreamedResponse<HTTPNoStreamedBody>? {
        nil
    }
}

extension HTTPRouter: HTTPStreamingHandler {
    public typealias Body = HTTPNoStreamedBody
}

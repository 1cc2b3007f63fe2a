/// Where a request's content goes: collected into the connection's buffer, streamed to the handler, or refused.

/// A handler's answer to `HTTPHandler.contentHandling(for:)`.
public enum HTTPContentHandling: Sendable {
    /// Collect the content into the connection's buffer (at most
    /// `HTTPLimits.maximumBodyLength` bytes, else 413) and pass it as `HTTPRequest.body`.
    case collect
    /// Pass the content to `receiveContent(_:connection:)` as it arrives (at most
    /// `HTTPLimits.maximumStreamedBodyLength` bytes), so a request may be far larger than
    /// any buffer: an upload written to disk, an echo relayed back.
    case stream
    /// Read the content (at most `maximumStreamedBodyLength` bytes) and drop it, then answer
    /// through `respond(to:with:)` with an empty `body`: a refusal that keeps the connection
    /// (a PUT to a read-only site gets its 405 without reading the upload into memory).
    case discard
    /// Answer with this status at once, without reading the content, and close (RFC 9110
    /// §10.1.1: a server that refuses content need not read it; the connection cannot be
    /// reused because the unread content would be taken for the next request).
    case reject(HTTPStatus)
}

extension HTTPHandler {
    public mutating func contentHandling(for request: HTTPRequest) -> HTTPContentHandling { .collect }
    public mutating func receiveContent(_ bytes: UnsafeRawBufferPointer, connection: Int) {}
    public mutating func connectionEnded(_ connection: Int) {}
}

/// What a complete head tells the connection: persistence, 100-continue, and the request view.

extension HTTPRequestParser {
    /// Whether the connection persists after this request (RFC 9112 §9.3): HTTP/1.1 unless
    /// "Connection: close"; HTTP/1.0 only with "Connection: keep-alive". Valid after `.head`.
    public var keepAlive: Bool { head.keepAlive }

    /// Whether the request is HTTP/1.1 and asked for `Expect: 100-continue`. Valid after `.head`.
    public var expectsContinue: Bool { head.expectsContinue }

    /// Whether content follows the head (a positive Content-Length or chunked). Valid after `.head`.
    public var hasContent: Bool {
        if case .none = head.framing { return false }
        return true
    }

    /// The protocol version of the current request; HTTP/1.1 until the request-line is parsed.
    public var version: HTTPVersion { head.version }

    /// A view of the current request with `body` as its content, or nil before `.head`.
    /// The view points into this parser's storage: it is valid until the next `parse` call
    /// after `.end`.
    public func request(body: UnsafeRawBufferPointer) -> HTTPRequest? {
        guard let method = head.method, headIsComplete else { return nil }
        let bytes = UnsafeRawBufferPointer(storage)
        let path: UnsafeRawBufferPointer
        if head.pathIsImplicitRoot {
            let root: StaticString = "/"
            path = UnsafeRawBufferPointer(start: root.utf8Start, count: 1)
        } else {
            path = UnsafeRawBufferPointer(rebasing: bytes[head.path])
        }
        let host = head.authority ?? head.host
        var request = HTTPRequest(
            method: method,
            version: head.version,
            target: UnsafeRawBufferPointer(rebasing: bytes[head.target]),
            path: path,
            query: head.query.map { UnsafeRawBufferPointer(rebasing: bytes[$0]) },
            host: host.map { UnsafeRawBufferPointer(rebasing: bytes[$0]) },
            headers: HTTPHeaders(storage: bytes, locations: UnsafePointer(fieldLocations), count: headerFieldCount),
            body: body,
            keepAlive: head.keepAlive)
        if case .length(let length) = head.framing { request.contentLength = Int(length) }
        if case .none = head.framing { request.contentLength = 0 }
        return request
    }

    /// Whether the parser is past the head of the current request.
    var headIsComplete: Bool {
        switch state {
        case .contentBody, .chunkSizeLine, .chunkData, .chunkDataCarriageReturn, .chunkDataLineFeed,
             .trailerLine, .messageComplete, .finished:
            return true
        case .requestLine, .fieldLine, .failed:
            return false
        }
    }
}

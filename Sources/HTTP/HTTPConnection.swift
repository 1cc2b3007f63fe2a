/// One HTTP/1.1 server connection over any byte stream: bytes in, response bytes out, in order.

/// The server side of one connection, independent of the transport.
///
/// The transport's event loop drives it:
///
/// ```
/// let used = connection.receive(receivedBytes, now: now, handler: &router)  // keep the rest
/// let sent = connection.send(into: transmitSpace, now: now)
/// if connection.state == .closed { /* close the transport */ }
/// if let deadline = connection.deadline, now >= deadline { connection.expire(now: now) }
/// ```
///
/// One response is in flight at a time: while response bytes wait to be sent, `receive`
/// takes nothing, so pipelined requests (RFC 9112 §9.3.2) are answered in order, each
/// after the previous response has left, and a client that does not read stops being read.
/// Every buffer is allocated once in `init`; no request allocates.
public struct HTTPConnection: ~Copyable {
    /// Where the connection is in its life.
    public enum State: Equatable, Sendable {
        /// Reading requests.
        case open
        /// No more requests will be read (received bytes are discarded); the last response
        /// is still being sent. RFC 9112 §9.6: the transport should then close its sending
        /// side first and keep reading a little, so a late request does not reset the
        /// connection before the response arrives.
        case closing
        /// Finished: the transport should close.
        case closed
    }

    /// The limits in force, after clamping.
    public let limits: HTTPLimits
    public internal(set) var state = State.open
    /// Requests answered so far, error responses included.
    public private(set) var requestCount = 0
    /// The transport's name for this connection, passed to handlers as `HTTPRequest.connection`.
    public var identifier = 0

    var parser: HTTPRequestParser
    /// The current request's content, collected as it arrives.
    let body: UnsafeMutableRawBufferPointer
    var bodyCount = 0
    /// Where the current request's content goes.
    var contentHandling = HTTPContentHandling.collect
    /// Response bytes waiting for the transport: `output[outputStart..<outputEnd]`.
    let output: UnsafeMutableRawBufferPointer
    var outputStart = 0
    var outputEnd = 0
    /// Content a handler lent, sent after the buffered bytes.
    var borrowedContent: UnsafeRawBufferPointer? = nil

    /// When the connection last became idle (opened, or a response finished sending).
    var idleSince: UInt64
    /// When the first byte of the current, incomplete request arrived.
    var requestStartedAt: UInt64? = nil
    /// When output last became pending or the transport last took some.
    var sendProgressAt: UInt64 = 0

    /// A connection opened at `now` (nanoseconds on the caller's monotonic clock), with
    /// buffers sized by `limits`.
    public init(limits: HTTPLimits = HTTPLimits(), now: UInt64) {
        let limits = limits.clamped
        self.limits = limits
        parser = HTTPRequestParser(limits: limits)
        body = UnsafeMutableRawBufferPointer.allocate(byteCount: Swift.max(limits.maximumBodyLength, 1), alignment: 8)
        body.initializeMemory(as: UInt8.self, repeating: 0)
        output = UnsafeMutableRawBufferPointer.allocate(byteCount: limits.outputBufferLength, alignment: 8)
        output.initializeMemory(as: UInt8.self, repeating: 0)
        idleSince = now
    }

    deinit {
        body.deallocate()
        output.deallocate()
    }

    /// Whether response bytes are waiting for `send`.
    public var hasOutput: Bool { outputEnd > outputStart || borrowedContent != nil }

    /// Parses received bytes and answers every request they complete, through `handler`.
    ///
    /// - Returns: how many bytes were used. The caller keeps the rest and offers them again
    ///   after `send` has taken the pending response. Once the connection is closing, all
    ///   bytes are used and discarded.
    public mutating func receive<Handler: HTTPHandler>(_ input: UnsafeRawBufferPointer, now: UInt64,
                                                       handler: inout Handler) -> Int {
        guard state == .open else { return input.count }
        guard !hasOutput else { return 0 }
        var offset = 0
        defer {
            if !parser.hasPartialRequest {
                requestStartedAt = nil
            } else if requestStartedAt == nil {
                requestStartedAt = now
            }
        }
        while true {
            let result: HTTPParseResult
            do {
                result = try parser.parse(UnsafeRawBufferPointer(rebasing: input[offset...]))
            } catch {
                respond(to: error, now: now)
                return input.count
            }
            offset += result.consumed
            switch result.event {
            case .needsInput:
                return offset
            case .head:
                bodyCount = 0
                contentHandling = .collect
                if parser.hasContent {
                    guard prepareForContent(handler: &handler, now: now) else { return input.count }
                }
                // RFC 9110 §10.1.1: an interim 100 invites the content. It is sent even when
                // content already arrived, so the output never depends on segmentation.
                if parser.expectsContinue && parser.hasContent && limits.sendsContinue {
                    appendOutput("HTTP/1.1 100 Continue\r\n\r\n", now: now)
                }
            case .body(let bytes):
                switch contentHandling {
                case .stream:
                    if bytes.count > 0 { handler.receiveContent(bytes, connection: identifier) }
                    continue
                case .discard, .reject:
                    continue
                case .collect:
                    break
                }
                // `body` holds maximumBodyLength bytes; the parser allows up to the streamed limit.
                guard bytes.count <= body.count - bodyCount else {
                    respond(to: .contentTooLarge, now: now)
                    return input.count
                }
                if let source = bytes.baseAddress, let destination = body.baseAddress, bytes.count > 0 {
                    (destination + bodyCount).copyMemory(from: source, byteCount: bytes.count)
                }
                bodyCount += bytes.count
            case .end:
                dispatch(to: &handler, now: now)
                return offset
            }
        }
    }

    /// Asks the handler where the content of the request whose head just completed goes.
    /// False when the request was answered at once (refused, or too large to collect).
    mutating func prepareForContent<Handler: HTTPHandler>(handler: inout Handler, now: UInt64) -> Bool {
        guard var request = parser.request(body: UnsafeRawBufferPointer(start: nil, count: 0)) else { return true }
        request.connection = identifier
        contentHandling = handler.contentHandling(for: request)
        switch contentHandling {
        case .stream, .discard:
            return true
        case .collect:
            // A length announced beyond the buffer is refused before any content is read.
            if let length = request.contentLength, length > limits.maximumBodyLength {
                respond(to: .contentTooLarge, now: now)
                return false
            }
            parser.limitContent(to: limits.maximumBodyLength)
            return true
        case .reject(let status):
            requestCount += 1
            var writer = HTTPResponseWriter(buffer: UnsafeMutableRawBufferPointer(rebasing: output[outputEnd...]),
                                            method: request.method, version: request.version, keepAlive: false)
            writer.respond(status: status)
            complete(writer.finish(), now: now)
            state = hasOutput ? .closing : .closed
            return false
        }
    }

    /// Copies pending response bytes into `buffer` (the transport's free send space).
    /// - Returns: bytes copied; 0 when nothing is pending or `buffer` is empty.
    public mutating func send(into buffer: UnsafeMutableRawBufferPointer, now: UInt64) -> Int {
        guard state != .closed, let destination = buffer.baseAddress else { return 0 }
        let hadOutput = hasOutput
        var written = 0
        let buffered = Swift.min(outputEnd - outputStart, buffer.count)
        if buffered > 0, let source = output.baseAddress {
            destination.copyMemory(from: source + outputStart, byteCount: buffered)
            outputStart += buffered
            written = buffered
        }
        if outputStart == outputEnd {
            outputStart = 0
            outputEnd = 0
            if let content = borrowedContent, let source = content.baseAddress {
                let taken = Swift.min(content.count, buffer.count - written)
                (destination + written).copyMemory(from: source, byteCount: taken)
                written += taken
                borrowedContent = taken == content.count
                    ? nil : UnsafeRawBufferPointer(rebasing: content[taken...])
            }
        }
        if written > 0 { sendProgressAt = now }
        if hadOutput && !hasOutput {
            if state == .closing { state = .closed } else { idleSince = now }
        }
        return written
    }

    /// Tells the connection the client closed its sending side, after every received byte
    /// was passed to `receive`. An incomplete request is dropped; a pending response is
    /// still sent (the client may only have half-closed).
    public mutating func peerClosed() {
        guard state != .closed else { return }
        state = hasOutput ? .closing : .closed
    }

    /// Answers the request being dispatched, replacing a spoiled response with a 500.
    mutating func dispatch<Handler: HTTPHandler>(to handler: inout Handler, now: UInt64) {
        requestCount += 1
        let free = UnsafeMutableRawBufferPointer(rebasing: output[outputEnd...])
        var content = UnsafeRawBufferPointer(start: nil, count: 0)
        if case .collect = contentHandling {
            content = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(body)[..<bodyCount])
        }
        guard var request = parser.request(body: content) else {
            return respond(to: .invalidRequestLine, now: now)
        }
        request.connection = identifier
        contentHandling = .collect
        var writer = HTTPResponseWriter(buffer: free, method: request.method, version: request.version,
                                        keepAlive: request.keepAlive)
        handler.respond(to: request, with: &writer)
        guard let outcome = writer.finish() else {
            var fallback = HTTPResponseWriter(buffer: free, method: request.method, version: request.version,
                                              keepAlive: false)
            fallback.respond(status: .internalServerError)
            return complete(fallback.finish(), now: now)
        }
        complete(outcome, now: now)
    }

    /// Sends the error response for `error` and stops reading (RFC 9112 §9.6: after an
    /// error that breaks framing the server must close).
    mutating func respond(to error: HTTPError, now: UInt64) {
        requestCount += 1
        var writer = HTTPResponseWriter(buffer: UnsafeMutableRawBufferPointer(rebasing: output[outputEnd...]),
                                        method: parser.method, version: parser.version, keepAlive: false)
        writer.respond(status: error.status)
        complete(writer.finish(), now: now)
    }

    /// Queues a finished response and moves to `.closing` if it ends the connection.
    mutating func complete(_ outcome: HTTPResponseWriter.Outcome?, now: UInt64) {
        guard let outcome else {
            // Even the fallback did not fit: nothing sensible can be sent.
            state = .closed
            return
        }
        outputEnd += outcome.length
        borrowedContent = outcome.borrowedContent
        sendProgressAt = now
        if !outcome.keepAlive { state = .closing }
        if !hasOutput && state == .closing { state = .closed }
    }

    /// Queues fixed bytes, such as an interim response.
    mutating func appendOutput(_ text: StaticString, now: UInt64) {
        let count = text.utf8CodeUnitCount
        guard count <= output.count - outputEnd, let destination = output.baseAddress else { return }
        (destination + outputEnd).copyMemory(from: text.utf8Start, byteCount: count)
        outputEnd += count
        sendProgressAt = now
    }
}

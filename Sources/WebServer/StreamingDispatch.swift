/// The handler an `HTTPConnection` calls: the app's handler, with streamed answers set aside.

import HTTP

/// Wraps the application's handler for `HTTPConnection.receive`.
///
/// A streamed answer cannot go through `HTTPResponseWriter`, whose content must fit the
/// connection's output buffer or already exist in memory. The connection still has to see
/// a response, so that its bookkeeping stays right (the request count, keep-alive, and the
/// rule that it reads no further request until the response has left, which keeps pipelined
/// answers in order, RFC 9112 §9.3.2). It gets an empty stand-in with the same status and
/// persistence; the server sends the real head and content, and only then drains and drops
/// the stand-in.
struct StreamingDispatch<Handler: HTTPStreamingHandler>: HTTPHandler {
    var handler: Handler
    /// The streamed response the last request produced, until the server takes it.
    var started: ResponseStream<Handler.Body>? = nil

    init(handler: Handler) {
        self.handler = handler
    }

    mutating func contentHandling(for request: HTTPRequest) -> HTTPContentHandling {
        handler.contentHandling(for: request)
    }

    mutating func receiveContent(_ bytes: UnsafeRawBufferPointer, connection: Int) {
        handler.receiveContent(bytes, connection: connection)
    }

    mutating func connectionEnded(_ connection: Int) {
        handler.connectionEnded(connection)
    }

    mutating func respond(to request: HTTPRequest, with response: inout HTTPResponseWriter) {
        guard let streamed = handler.streamedResponse(to: request) else {
            handler.respond(to: request, with: &response)
            return
        }
        // RFC 9110 §6.4.1: 1xx, 204 and 304 responses have no content.
        let length = streamed.status.forbidsContent ? 0 : streamed.contentLength
        response.respond(status: streamed.status, contentType: streamed.contentType,
                         borrowedBody: UnsafeRawBufferPointer(start: nil, count: 0))
        guard !response.failed else { return }  // The connection sends its 500 instead.
        started = ResponseStream(status: streamed.status, contentType: streamed.contentType, length: length,
                                 body: streamed.body, omitsContent: request.method == .head,
                                 version: request.version, keepAlive: response.keepAlive,
                                 acceptsRanges: streamed.acceptsRanges, contentRange: streamed.contentRange)
    }
}

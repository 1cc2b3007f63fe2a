// Test driver and fixtures: a router with known routes and an event loop stand-in that feeds chunks.
import Testing
import HTTP

extension Array where Element == UInt8 {
    /// The UTF-8 bytes of `text`.
    init(_ text: String) { self = Array(text.utf8) }
}

/// Readable text of bytes for failure messages and comparisons.
func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }
func text(_ bytes: UnsafeRawBufferPointer?) -> String? { bytes.map { String(decoding: $0, as: UTF8.self) } }

/// Content served by GET /big: larger than any output buffer in these tests, and never freed,
/// as a borrowed body must be.
let bigContent: UnsafeRawBufferPointer = {
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 100_000, alignment: 1)
    for index in 0..<buffer.count { buffer[index] = UInt8(ascii: "a") + UInt8(index % 26) }
    return UnsafeRawBufferPointer(buffer)
}()

/// State shared by the fixture's handlers.
struct FixtureState {
    var puts = 0
    var lastHost: String? = nil
    var lastQuery: String? = nil
}

/// The routes most tests run against.
func fixtureRouter() -> HTTPRouter<FixtureState> {
    var router = HTTPRouter(context: FixtureState())
    router.add(.get, "/") { state, request, response in
        state.lastHost = text(request.host)
        state.lastQuery = text(request.query)
        response.respond(status: .ok, contentType: "text/plain", body: "hello\n")
    }
    router.add(.post, "/echo") { _, request, response in
        response.respond(status: .ok, contentType: "application/octet-stream", body: request.body)
    }
    router.add(.put, "/count") { state, _, response in
        state.puts += 1
        response.respond(status: .noContent)
    }
    router.add(.get, "/static/", matching: .prefix) { _, request, response in
        response.respond(status: .ok, body: request.path)
    }
    router.add(.get, "/big") { _, _, response in
        response.respond(status: .ok, contentType: "text/plain", borrowedBody: bigContent)
    }
    router.add(.get, "/short") { _, _, response in
        response.writeHead(status: .ok, contentLength: 10)
        response.writeBody("abc")
    }
    router.add(.get, "/inject") { _, request, response in
        response.writeHead(status: .ok, contentLength: 0)
        response.writeHeader("X-Echo", request.target)
    }
    router.add(.get, "/close") { _, _, response in
        response.closeConnection()
        response.respond(status: .ok, body: "bye\n")
    }
    router.add(.get, "/header") { _, request, response in
        response.respond(status: .ok, body: request.header("x-test") ?? UnsafeRawBufferPointer(start: nil, count: 0))
    }
    return router
}

/// What a connection produced from a sequence of received chunks.
struct Transcript {
    var output: [UInt8] = []
    var state: HTTPConnection.State = .open
    var requestCount = 0
    var unconsumed = 0
    var text: String { String(decoding: output, as: UTF8.self) }
}

/// Plays the event loop: hands each chunk to the connection, offering unconsumed bytes again
/// after every send, with `sendWindow` bytes of transmit space per send.
func exchange<Handler: HTTPHandler>(_ chunks: [[UInt8]], handler: inout Handler,
                                    limits: HTTPLimits = HTTPLimits(), sendWindow: Int = 1 << 20,
                                    peerCloses: Bool = false) -> Transcript {
    var connection = HTTPConnection(limits: limits, now: 0)
    var transcript = Transcript()
    var pending: [UInt8] = []
    var window = [UInt8](repeating: 0, count: sendWindow)
    for (index, chunk) in chunks.enumerated() {
        pending += chunk
        while true {
            let used = pending.withUnsafeBytes { connection.receive($0, now: 0, handler: &handler) }
            pending.removeFirst(used)
            let sent = window.withUnsafeMutableBytes { connection.send(into: $0, now: 0) }
            transcript.output += window[..<sent]
            if used == 0 && sent == 0 { break }
        }
        if peerCloses && index == chunks.count - 1 {
            connection.peerClosed()
            while true {
                let sent = window.withUnsafeMutableBytes { connection.send(into: $0, now: 0) }
                transcript.output += window[..<sent]
                if sent == 0 { break }
            }
        }
    }
    transcript.state = connection.state
    transcript.requestCount = connection.requestCount
    transcript.unconsumed = pending.count
    return transcript
}

/// `exchange` with the fixture router and one chunk.
func exchange(_ request: String, limits: HTTPLimits = HTTPLimits()) -> Transcript {
    var router = fixtureRouter()
    return exchange([Array(request)], handler: &router, limits: limits)
}

/// The exact bytes of a fixture "hello" response.
func helloResponse(connection: String? = nil) -> String {
    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 6\r\n"
        + (connection.map { "Connection: \($0)\r\n" } ?? "") + "\r\nhello\n"
}

/// The exact bytes of an error response as the connection sends it.
func errorResponse(_ code: Int, _ reason: String) -> String {
    "HTTP/1.1 \(code) \(reason)\r\nContent-Type: text/plain\r\nContent-Length: \(reason.utf8.count + 1)\r\n"
        + "Connection: close\r\n\r\n\(reason)\n"
}

/// libFuzzer target for the HTTP connection: no trap, no stall, and the same response bytes at any segmentation.
import HTTP

/// Content for the borrowed-body route; lives as long as the process.
let largeContent: UnsafeRawBufferPointer = {
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 3000, alignment: 1)
    for index in 0..<buffer.count { buffer[index] = UInt8(truncatingIfNeeded: index) }
    return UnsafeRawBufferPointer(buffer)
}()

/// Routes that touch every writer path: copied, borrowed and echoed content, fields built
/// from request bytes (refused when they hold control bytes), a handler that lies.
func makeRouter() -> HTTPRouter<Int> {
    var router = HTTPRouter(context: 0)
    router.add(.get, "/") { count, _, response in
        count += 1
        response.respond(status: .ok, contentType: "text/plain", body: "hello\n")
    }
    router.add(.post, "/echo") { _, request, response in
        response.respond(status: .ok, body: request.body)
    }
    router.add(.put, "/echo") { _, request, response in
        response.writeHead(status: .created, contentLength: request.body.count)
        response.writeHeader("X-Query", request.query ?? request.path)
        for field in request.headers { response.writeHeader("X-Field", field.value) }
        response.writeBody(request.body)
    }
    router.add(.get, "/s/", matching: .prefix) { _, request, response in
        response.respond(status: .ok, body: request.target)
    }
    router.add(.get, "/big") { _, _, response in
        response.respond(status: .ok, borrowedBody: largeContent)
    }
    router.add(.get, "/lie") { _, _, response in
        response.writeHead(status: .ok, contentLength: 5)
        response.writeBody("abc")
    }
    router.add(.delete, "/close") { _, _, response in
        response.closeConnection()
        response.respond(status: .noContent)
    }
    return router
}

/// The router behind content handling: `/stream` takes its content streamed (answered with the
/// byte count and a running sum, so segmentation cannot change the answer), `/discard` drops
/// it, `/reject` refuses it from the head; everything else is collected.
struct FuzzHandler: HTTPHandler {
    var router = makeRouter()
    var streamed = 0
    var sum: UInt32 = 0

    mutating func contentHandling(for request: HTTPRequest) -> HTTPContentHandling {
        streamed = 0
        sum = 0
        if request.pathEquals("/stream") { return .stream }
        if request.pathEquals("/discard") { return .discard }
        if request.pathEquals("/reject") { return .reject(.forbidden) }
        return .collect
    }

    mutating func receiveContent(_ bytes: UnsafeRawBufferPointer, connection: Int) {
        if bytes.count == 0 { fatalError("empty content run") }
        streamed += bytes.count
        for byte in bytes { sum = sum &* 31 &+ UInt32(byte) }
    }

    mutating func respond(to request: HTTPRequest, with response: inout HTTPResponseWriter) {
        if request.pathEquals("/stream") || request.pathEquals("/discard") {
            if request.body.count != 0 { fatalError("streamed or discarded content reached body") }
            response.writeHead(status: .ok, contentLength: 0)
            response.writeHeader("X-Count", decimal: UInt64(streamed))
            response.writeHeader("X-Sum", decimal: UInt64(sum))
            return
        }
        router.respond(to: request, with: &response)
    }
}

/// Small limits, so short inputs reach every limit; picked by the first byte.
func makeLimits(small: Bool) -> HTTPLimits {
    var limits = HTTPLimits()
    if small {
        limits.requestLineLength = 40
        limits.headerSectionLength = 120
        limits.headerFieldCount = 6
        limits.maximumBodyLength = 64
        limits.maximumStreamedBodyLength = 300
        limits.chunkLineLength = 20
        limits.outputBufferLength = 600
    }
    return limits
}

/// Runs `input` through a fresh connection in pieces whose sizes come from `seed` (0: one
/// piece), with a send window of `window` bytes, and returns everything sent.
func run(_ input: UnsafeRawBufferPointer, limits: HTTPLimits, seed: UInt32, window: Int) -> [UInt8] {
    var router = FuzzHandler()
    var connection = HTTPConnection(limits: limits, now: 0)
    var sent: [UInt8] = []
    let space = UnsafeMutableRawBufferPointer.allocate(byteCount: window, alignment: 1)
    defer { space.deallocate() }
    var random = seed
    var delivered = 0      // bytes the "transport" has received so far
    var consumed = 0       // bytes the connection has used
    var clock: UInt64 = 0
    while true {
        if delivered < input.count {
            var piece = input.count - delivered
            if seed != 0 {
                random = random &* 1_103_515_245 &+ 12345
                piece = Swift.min(piece, Int((random >> 16) % 23) + 1)
            }
            delivered += piece
        }
        // The event loop: receive, send, until neither makes progress.
        var rounds = 0
        while true {
            rounds += 1
            if rounds > 1_000_000 { fatalError("no quiescence") }
            let available = UnsafeRawBufferPointer(rebasing: input[consumed..<delivered])
            let used = connection.receive(available, now: clock, handler: &router)
            if used < 0 || used > available.count { fatalError("receive used \(used) of \(available.count)") }
            consumed += used
            let count = connection.send(into: space, now: clock)
            if count < 0 || count > window { fatalError("send wrote \(count)") }
            sent += UnsafeRawBufferPointer(rebasing: space[..<count])
            if used == 0 && count == 0 {
                // Stuck only if input waits, nothing is pending, and the connection is open.
                if available.count > 0 && !connection.hasOutput && connection.state == .open {
                    fatalError("stalled with \(available.count) bytes waiting")
                }
                break
            }
        }
        clock &+= 1
        if delivered == input.count { break }
    }
    connection.peerClosed()
    while true {
        let count = connection.send(into: space, now: clock)
        if count == 0 { break }
        sent += UnsafeRawBufferPointer(rebasing: space[..<count])
    }
    if connection.state != .closed { fatalError("not closed after peer close and drain") }
    if connection.deadline != nil { fatalError("closed connection with a deadline") }
    return sent
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size >= 1 else { return 0 }
    let options = data[0]
    let input = UnsafeRawBufferPointer(start: data + 1, count: size - 1)
    let limits = makeLimits(small: options & 1 == 1)
    let whole = run(input, limits: limits, seed: 0, window: 1 << 16)
    let pieces = run(input, limits: limits, seed: UInt32(options) | 1, window: Int(options >> 2) + 1)
    if whole != pieces {
        fatalError("segmentation changed the response: \(whole.count) vs \(pieces.count) bytes")
    }
    if !whole.isEmpty && !whole.starts(with: Array("HTTP/1.1 ".utf8)) { fatalError("output is not a response") }
    return 0
}

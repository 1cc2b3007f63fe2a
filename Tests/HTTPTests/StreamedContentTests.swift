// Request content streamed to the handler: larger than any buffer, in order, split anywhere, refusable.
import Testing
import HTTP

/// Streams POST /upload content into `received`; answers with the byte count and a checksum.
struct UploadHandler: HTTPHandler {
    var received: [UInt8] = []
    var ended: [Int] = []
    var refuse = false
    var discard = false

    mutating func contentHandling(for request: HTTPRequest) -> HTTPContentHandling {
        if refuse { return .reject(.forbidden) }
        if discard { return .discard }
        return request.pathEquals("/upload") ? .stream : .collect
    }

    mutating func receiveContent(_ bytes: UnsafeRawBufferPointer, connection: Int) {
        #expect(connection == 7)
        received += bytes
    }

    mutating func connectionEnded(_ connection: Int) { ended.append(connection) }

    mutating func respond(to request: HTTPRequest, with response: inout HTTPResponseWriter) {
        if request.pathEquals("/upload") {
            #expect(request.body.count == 0)
            #expect(request.connection == 7)
            response.respond(status: .ok, contentType: "text/plain", body: "stored\n")
        } else {
            response.respond(status: .ok, contentType: "text/plain", body: request.body)
        }
    }
}

@Suite struct StreamedContent {
    func run(_ chunks: [[UInt8]], handler: inout UploadHandler, limits: HTTPLimits) -> (String, HTTPConnection.State) {
        var connection = HTTPConnection(limits: limits, now: 0)
        connection.identifier = 7
        var output: [UInt8] = []
        var pending: [UInt8] = []
        var window = [UInt8](repeating: 0, count: 4096)
        for chunk in chunks {
            pending += chunk
            while true {
                let used = pending.withUnsafeBytes { connection.receive($0, now: 0, handler: &handler) }
                pending.removeFirst(used)
                let sent = window.withUnsafeMutableBytes { connection.send(into: $0, now: 0) }
                output += window[..<sent]
                if used == 0 && sent == 0 { break }
            }
        }
        return (String(decoding: output, as: UTF8.self), connection.state)
    }

    var limits: HTTPLimits {
        var limits = HTTPLimits()
        limits.maximumBodyLength = 16
        limits.maximumStreamedBodyLength = 1 << 20
        return limits
    }

    @Test func contentFarLargerThanTheBufferArrivesWholeAndInOrder() {
        let content = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 % 251) }
        let head = Array("PUT /upload HTTP/1.1\r\nHost: a\r\nContent-Length: \(content.count)\r\n\r\n".utf8)
        var message = head + content + Array("GET /x HTTP/1.1\r\nHost: a\r\n\r\n".utf8)
        // Uneven pieces, so runs start and end anywhere.
        var chunks: [[UInt8]] = []
        var size = 1
        while !message.isEmpty {
            let take = min(size, message.count)
            chunks.append(Array(message[..<take]))
            message.removeFirst(take)
            size = size * 3 % 65_521 + 1
        }
        var handler = UploadHandler()
        let (text, state) = run(chunks, handler: &handler, limits: limits)
        #expect(handler.received == content)
        #expect(text.hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(text.contains("stored\n"))
        #expect(text.hasSuffix("Content-Length: 0\r\n\r\n"))  // the pipelined GET, collected, no content
        #expect(state == .open)
    }

    @Test func chunkedContentIsStreamedDeChunked() {
        let request = "POST /upload HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "20\r\n" + String(repeating: "a", count: 32) + "\r\n3\r\nbcd\r\n0\r\n\r\n"
        var handler = UploadHandler()
        let (text, _) = run([Array(request.utf8)], handler: &handler, limits: limits)
        #expect(handler.received == Array((String(repeating: "a", count: 32) + "bcd").utf8))
        #expect(text.contains("stored\n"))
    }

    @Test func streamedLimitStillApplies() {
        var small = limits
        small.maximumStreamedBodyLength = 100
        var handler = UploadHandler()
        let (text, state) = run([Array("PUT /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 101\r\n\r\n".utf8)],
                                handler: &handler, limits: small)
        #expect(text == errorResponse(413, "Content Too Large"))
        #expect(state == .closed)
        #expect(handler.received.isEmpty)
    }

    @Test func collectedContentKeepsTheSmallLimit() {
        var handler = UploadHandler()
        let (text, _) = run([Array("POST /other HTTP/1.1\r\nHost: a\r\nContent-Length: 17\r\n\r\n".utf8)],
                            handler: &handler, limits: limits)
        #expect(text == errorResponse(413, "Content Too Large"))
        let (chunked, _) = run([Array("POST /other HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n11\r\n".utf8)],
                               handler: &handler, limits: limits)
        #expect(chunked == errorResponse(413, "Content Too Large"))
    }

    @Test func discardedContentIsReadThenAnsweredOnTheSameConnection() {
        var handler = UploadHandler()
        handler.discard = true
        let content = String(repeating: "z", count: 5000)
        let request = "POST /other HTTP/1.1\r\nHost: a\r\nContent-Length: 5000\r\n\r\n" + content
            + "POST /other HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nok"
        let (text, state) = run([Array(request.utf8)], handler: &handler, limits: limits)
        #expect(handler.received.isEmpty)
        // Both answered with an empty body echoed: the content never reached the handler.
        #expect(text.split(separator: "\r\n").filter { $0 == "HTTP/1.1 200 OK" }.count == 2)
        #expect(!text.contains("zzz"))
        #expect(state == .open)
    }

    @Test func refusedBeforeAnyContentWithoutContinue() {
        var handler = UploadHandler()
        handler.refuse = true
        let (text, state) = run([Array("PUT /upload HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n".utf8)],
                                handler: &handler, limits: limits)
        #expect(text.hasPrefix("HTTP/1.1 403 Forbidden\r\n"))
        #expect(!text.contains("100 Continue"))
        #expect(text.contains("Connection: close\r\n"))
        #expect(state == .closed)
    }
}

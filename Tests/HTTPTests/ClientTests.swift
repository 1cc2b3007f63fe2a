// The client side: URL parsing and the response reader under every framing, split at every byte.
import Testing
import HTTP

private func parseURL(_ text: String) throws -> (host: String, port: UInt16, target: String) {
    let bytes = Array(text.utf8)
    return try bytes.withUnsafeBytes { raw in
        let url = try HTTPURL(parsing: raw)
        return (String(decoding: url.host, as: UTF8.self), url.port, String(decoding: url.target, as: UTF8.self))
    }
}

/// Feeds `response` split into pieces of `piece` bytes (0 = whole); returns status, body, and whether it completed.
private func read(_ response: String, piece: Int = 0, close: Bool = false) throws -> (UInt16, String, Bool) {
    var reader = HTTPResponseReader(headLimit: 256)
    var body: [UInt8] = []
    let bytes = Array(response.utf8)
    let step = piece == 0 ? max(bytes.count, 1) : piece
    var start = 0
    while start < bytes.count {
        let end = min(start + step, bytes.count)
        try bytes[start..<end].withUnsafeBytes { chunk in
            try reader.receive(chunk) { body.append(contentsOf: $0) }
        }
        start = end
    }
    if close { try reader.receiveEnd() }
    #expect(reader.bodyLength == UInt64(body.count))
    return (reader.status, String(decoding: body, as: UTF8.self), reader.isComplete)
}

@Suite struct URLTests {
    @Test func partsWithAndWithoutPortAndPath() throws {
        #expect(try parseURL("http://example.test/a/b?c=d") == ("example.test", 80, "/a/b?c=d"))
        #expect(try parseURL("http://10.0.7.1:8000/file.bin") == ("10.0.7.1", 8000, "/file.bin"))
        #expect(try parseURL("HTTP://Host") == ("Host", 80, "/"))
        #expect(try parseURL("http://h:65535") == ("h", 65535, "/"))
    }

    @Test func rejectsWhatItCannotFetch() {
        #expect(throws: HTTPURLError.notHTTP) { try parseURL("https://example.test/") }
        #expect(throws: HTTPURLError.notHTTP) { try parseURL("http:/") }
        #expect(throws: HTTPURLError.emptyHost) { try parseURL("http:///path") }
        #expect(throws: HTTPURLError.badPort) { try parseURL("http://h:65536/") }
        #expect(throws: HTTPURLError.badPort) { try parseURL("http://h:/") }
        #expect(throws: HTTPURLError.badPort) { try parseURL("http://h:0/") }
        #expect(throws: HTTPURLError.badCharacter) { try parseURL("http://user@h/") }
        #expect(throws: HTTPURLError.badCharacter) { try parseURL("http://h/a b") }
        #expect(throws: HTTPURLError.badCharacter) { try parseURL("http://h/a#frag") }
    }
}

@Suite struct ResponseReaderTests {
    static let fixed = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 11\r\n\r\nhello world"
    static let chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nTrailer: x\r\n\r\n"
    static let untilClose = "HTTP/1.0 200 OK\r\nServer: test\r\n\r\nall of it until the end"

    @Test(arguments: [0, 1, 2, 3, 7, 50])
    func everyFramingAtEverySplit(piece: Int) throws {
        #expect(try read(Self.fixed, piece: piece) == (200, "hello world", true))
        #expect(try read(Self.chunked, piece: piece) == (200, "hello world", true))
        #expect(try read(Self.untilClose, piece: piece, close: true) == (200, "all of it until the end", true))
    }

    @Test func bodylessAndInterimResponses() throws {
        #expect(try read("HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n") == (204, "", true))
        #expect(try read("HTTP/1.1 304 Not Modified\r\n\r\n") == (304, "", true))
        #expect(try read("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\nno") == (404, "no", true))
        #expect(try read("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n") == (200, "", true))
    }

    @Test func bytesAfterTheBodyAreIgnoredAndEarlyCloseIsTruncation() throws {
        #expect(try read(Self.fixed + "garbage") == (200, "hello world", true))
        #expect(throws: HTTPResponseError.truncated) { try read("HTTP/1.1 200 OK\r\nContent-Length: 20\r\n\r\nshort", close: true) }
        #expect(throws: HTTPResponseError.truncated) { try read("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel", close: true) }
        #expect(throws: HTTPResponseError.truncated) { try read("HTTP/1.1 200 O", close: true) }
    }

    @Test func malformedResponses() {
        #expect(throws: HTTPResponseError.badStatusLine) { try read("HTTP/2 200 OK\r\n\r\n") }
        #expect(throws: HTTPResponseError.badStatusLine) { try read("HTTP/1.1 2x0 OK\r\n\r\n") }
        #expect(throws: HTTPResponseError.badStatusLine) { try read("HTTP/1.1 099 Low\r\n\r\n") }
        #expect(throws: HTTPResponseError.badField) { try read("HTTP/1.1 200 OK\r\nno colon\r\n\r\n") }
        #expect(throws: HTTPResponseError.badContentLength) { try read("HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n") }
        #expect(throws: HTTPResponseError.badContentLength) {
            try read("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n")
        }
        #expect(throws: HTTPResponseError.badContentLength) {
            try read("HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\n")
        }
        #expect(throws: HTTPResponseError.badChunk) { try read("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n") }
        #expect(throws: HTTPResponseError.badChunk) {
            try read("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n11111111111111111\r\n")
        }
        #expect(throws: HTTPResponseError.badChunk) { try read("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nab\r\n") }
        #expect(throws: HTTPResponseError.headTooLarge) { try read("HTTP/1.1 200 OK\r\nX: " + String(repeating: "a", count: 300) + "\r\n\r\n") }
    }
}

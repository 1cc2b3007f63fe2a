// Every error status as the connection sends it: exact bytes, then the connection closes.
import Testing
import HTTP

@Suite struct ErrorStatuses {
    @Test func badRequest400() {
        let transcript = exchange("GET / HTTP/1.1\r\nBad Name: x\r\n\r\n")
        #expect(transcript.text == errorResponse(400, "Bad Request"))
        #expect(transcript.state == .closed)
    }

    @Test func notFound404KeepsTheConnection() {
        let transcript = exchange("GET /nowhere HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(transcript.text == "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 10\r\n\r\nNot Found\n")
        #expect(transcript.state == .open)
    }

    @Test func methodNotAllowed405ListsAllow() {
        let transcript = exchange("DELETE / HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(transcript.text == "HTTP/1.1 405 Method Not Allowed\r\nContent-Type: text/plain\r\n"
            + "Content-Length: 19\r\nAllow: GET, HEAD\r\n\r\nMethod Not Allowed\n")
        #expect(transcript.state == .open)
    }

    @Test func contentTooLarge413BeforeTheBodyArrives() {
        var limits = HTTPLimits()
        limits.maximumBodyLength = 10
        let transcript = exchange("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\n", limits: limits)
        #expect(transcript.text == errorResponse(413, "Content Too Large"))
        #expect(transcript.state == .closed)
        let chunked = exchange("POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "6\r\nabcdef\r\n5\r\n", limits: limits)
        #expect(chunked.text == errorResponse(413, "Content Too Large"))
    }

    @Test func uriTooLong414() {
        let transcript = exchange("GET /" + String(repeating: "x", count: 8200) + " HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(transcript.text == errorResponse(414, "URI Too Long"))
        #expect(transcript.state == .closed)
    }

    @Test func requestHeaderFieldsTooLarge431() {
        let big = exchange("GET / HTTP/1.1\r\nHost: a\r\nX: " + String(repeating: "v", count: 17000) + "\r\n\r\n")
        #expect(big.text == errorResponse(431, "Request Header Fields Too Large"))
        let many = exchange("GET / HTTP/1.1\r\n" + (0...100).map { "X-\($0): v\r\n" }.joined() + "\r\n")
        #expect(many.text == errorResponse(431, "Request Header Fields Too Large"))
    }

    @Test func notImplemented501() {
        #expect(exchange("BREW / HTTP/1.1\r\nHost: a\r\n\r\n").text == errorResponse(501, "Not Implemented"))
        #expect(exchange("POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n").text
            == errorResponse(501, "Not Implemented"))
    }

    @Test func httpVersionNotSupported505() {
        #expect(exchange("GET / HTTP/2.0\r\nHost: a\r\n\r\n").text == errorResponse(505, "HTTP Version Not Supported"))
        #expect(exchange("GET / HTTP/3.1\r\n\r\n").text == errorResponse(505, "HTTP Version Not Supported"))
    }

    @Test func expectationFailed417() {
        #expect(exchange("PUT /count HTTP/1.1\r\nHost: a\r\nExpect: 200-ok\r\n\r\n").text
            == errorResponse(417, "Expectation Failed"))
    }

    @Test func framingErrors400() {
        let requests = [
            "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabc",
            "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: abc\r\n\r\n",
            "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
            "POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffff\r\n",
            "GET / HTTP/1.1\r\nHost: a\r\nX: y\r\n folded\r\n\r\n",
            "GET / HTTP/1.1\r\n\r\n",
        ]
        for request in requests {
            let transcript = exchange(request)
            #expect(transcript.text == errorResponse(400, "Bad Request"), "\(request.debugDescription)")
            #expect(transcript.state == .closed)
        }
    }

    @Test func bytesAfterAnErrorAreDiscarded() {
        let transcript = exchange("GET / HTTP/1.1\r\nHost: a\r\nBad Name: x\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(transcript.text == errorResponse(400, "Bad Request"))
        #expect(transcript.requestCount == 1)
        #expect(transcript.unconsumed == 0)
    }

    @Test func errorToAHeadRequestHasNoContent() {
        var limits = HTTPLimits()
        limits.maximumBodyLength = 2
        let transcript = exchange("HEAD / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\n", limits: limits)
        #expect(transcript.text == "HTTP/1.1 413 Content Too Large\r\nContent-Type: text/plain\r\n"
            + "Content-Length: 18\r\nConnection: close\r\n\r\n")
    }
}

// Connection behaviour: keep-alive per version, pipelining, every split point, HEAD, chunked, 100-continue.
import Testing
import HTTP

@Suite struct Persistence {
    @Test func http11StaysOpenByDefault() {
        let transcript = exchange("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(transcript.text == helloResponse())
        #expect(transcript.state == .open)
    }

    @Test func http11CloseIsHonoured() {
        let transcript = exchange("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
        #expect(transcript.text == helloResponse(connection: "close"))
        #expect(transcript.state == .closed)
    }

    @Test func http10ClosesByDefault() {
        let transcript = exchange("GET / HTTP/1.0\r\n\r\nGET / HTTP/1.0\r\n\r\n")
        #expect(transcript.text == helloResponse(connection: "close"))
        #expect(transcript.state == .closed)
        #expect(transcript.requestCount == 1)
    }

    @Test func http10KeepAliveIsAnnounced() {
        let transcript = exchange("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n")
        #expect(transcript.text == helloResponse(connection: "keep-alive"))
        #expect(transcript.state == .open)
    }

    @Test func connectionOptionsAreAList() {
        let transcript = exchange("GET / HTTP/1.1\r\nHost: a\r\nConnection: upgrade, CLOSE\r\n\r\n")
        #expect(transcript.state == .closed)
    }

    @Test func handlerCanClose() {
        let transcript = exchange("GET /close HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(transcript.text == "HTTP/1.1 200 OK\r\nContent-Length: 4\r\nConnection: close\r\n\r\nbye\n")
        #expect(transcript.state == .closed)
        #expect(transcript.requestCount == 1)
    }

    @Test func peerCloseAfterACompleteRequestStillGetsTheResponse() {
        var router = fixtureRouter()
        let transcript = exchange([Array("GET / HTTP/1.1\r\nHost: a\r\n\r\n")], handler: &router, peerCloses: true)
        #expect(transcript.text == helloResponse())
        #expect(transcript.state == .closed)
    }

    @Test func peerCloseMidRequestClosesSilently() {
        var router = fixtureRouter()
        let transcript = exchange([Array("GET / HTTP/1.1\r\nHo")], handler: &router, peerCloses: true)
        #expect(transcript.output.isEmpty)
        #expect(transcript.state == .closed)
    }
}

@Suite struct Pipelining {
    static let three = "GET / HTTP/1.1\r\nHost: a\r\n\r\n"
        + "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nabcde"
        + "GET /static/x?y HTTP/1.1\r\nHost: a\r\n\r\n"
    static let threeResponses = helloResponse()
        + "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: 5\r\n\r\nabcde"
        + "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n/static/x"

    @Test func requestsInOneChunkAreAnsweredInOrder() {
        let transcript = exchange(Self.three)
        #expect(transcript.text == Self.threeResponses)
        #expect(transcript.requestCount == 3)
        #expect(transcript.unconsumed == 0)
    }

    @Test func everyTwoWaySplitGivesTheSameBytes() {
        let input = Array(Self.three)
        for split in 0...input.count {
            var router = fixtureRouter()
            let transcript = exchange([Array(input[..<split]), Array(input[split...])], handler: &router)
            #expect(transcript.text == Self.threeResponses, "split at \(split)")
        }
    }

    @Test func everyThreeWaySplitOfAChunkedRequest() {
        let input = Array("POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "3;x=y\r\nabc\r\n2\r\nde\r\n0\r\nT: v\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n")
        let expected = "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: 5\r\n\r\nabcde"
            + helloResponse()
        for first in stride(from: 0, through: input.count, by: 3) {
            for second in first...input.count {
                var router = fixtureRouter()
                let transcript = exchange([Array(input[..<first]), Array(input[first..<second]), Array(input[second...])],
                                          handler: &router)
                #expect(transcript.text == expected, "splits at \(first), \(second)")
            }
        }
    }

    @Test func byteByByteWithATinySendWindow() {
        var router = fixtureRouter()
        let transcript = exchange(Array(Self.three).map { [$0] }, handler: &router, sendWindow: 7)
        #expect(transcript.text == Self.threeResponses)
    }

    @Test func pendingResponseHoldsBackTheNextRequest() {
        var router = fixtureRouter()
        var connection = HTTPConnection(now: 0)
        let input = Array(Self.three)
        let used = input.withUnsafeBytes { connection.receive($0, now: 0, handler: &router) }
        #expect(used == "GET / HTTP/1.1\r\nHost: a\r\n\r\n".utf8.count)
        let hasOutput = connection.hasOutput
        #expect(hasOutput)
        let again = input[used...].withUnsafeBytes { connection.receive($0, now: 0, handler: &router) }
        #expect(again == 0)
    }
}

@Suite struct Content {
    @Test func headGivesTheFieldsOfGetWithoutContent() {
        let transcript = exchange("HEAD / HTTP/1.1\r\nHost: a\r\n\r\nHEAD /big HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(transcript.text == "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 6\r\n\r\n"
            + "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 100000\r\n\r\n")
    }

    @Test func chunkedBodyIsDechunked() {
        let transcript = exchange("POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "A\r\n0123456789\r\n01;ext\r\n!\r\n000\r\nX-Trailer: t\r\nY: u\r\n\r\n")
        #expect(transcript.text == "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
            + "Content-Length: 11\r\n\r\n0123456789!")
    }

    @Test func emptyChunkedBody() {
        let transcript = exchange("POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
        #expect(transcript.text == "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: 0\r\n\r\n")
    }

    @Test func borrowedBodyStreamsThroughSmallWindows() {
        var limits = HTTPLimits()
        limits.outputBufferLength = 1024
        var router = fixtureRouter()
        let transcript = exchange([Array("GET /big HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n")],
                                  handler: &router, limits: limits, sendWindow: 1460)
        let head = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 100000\r\n\r\n"
        #expect(transcript.output.count == head.utf8.count + 100_000 + helloResponse().utf8.count)
        #expect(Array(transcript.output[..<head.utf8.count]) == Array(head))
        #expect(Array(transcript.output[head.utf8.count..<(head.utf8.count + 100_000)]) == Array(bigContent))
        #expect(text(Array(transcript.output[(head.utf8.count + 100_000)...])) == helloResponse())
    }

    @Test func expectContinueGetsAnInterimResponse() {
        let transcript = exchange("POST /echo HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nhi")
        #expect(transcript.text == "HTTP/1.1 100 Continue\r\n\r\n"
            + "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: 2\r\n\r\nhi")
        // Not for HTTP/1.0 (RFC 9110 §10.1.1), nor without content, nor when turned off.
        let old = exchange("POST /echo HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nhi")
        #expect(!old.text.contains("100 Continue"))
        let empty = exchange("PUT /count HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\n\r\n")
        #expect(empty.text == "HTTP/1.1 204 No Content\r\n\r\n")
        var limits = HTTPLimits()
        limits.sendsContinue = false
        let off = exchange("POST /echo HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nhi",
                           limits: limits)
        #expect(!off.text.contains("100 Continue"))
    }

    @Test func headersAreCaseInsensitiveAndTrimmed() {
        let transcript = exchange("GET /header HTTP/1.1\r\nHost: a\r\nX-TEST: \t value \r\n\r\n")
        #expect(transcript.text == "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nvalue")
    }
}

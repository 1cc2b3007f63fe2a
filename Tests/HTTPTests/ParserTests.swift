// The request parser on its own: events, stored head, and the exact error for each broken input.
import Testing
import HTTP

/// Everything the parser reports for `input` fed in pieces of `step` bytes.
struct ParseLog {
    var heads = 0
    var ends = 0
    var body: [UInt8] = []
    var error: HTTPError? = nil
}

func parse(_ input: [UInt8], step: Int = .max, limits: HTTPLimits = HTTPLimits()) -> ParseLog {
    var parser = HTTPRequestParser(limits: limits)
    var log = ParseLog()
    var offset = 0
    while offset < input.count || log.error == nil {
        let end = offset + Swift.min(step, input.count - offset)
        let piece = Array(input[offset..<end])
        var used = 0
        var progressed = false
        while true {
            let result: HTTPParseResult
            do {
                result = try piece.withUnsafeBytes { bytes in
                    try parser.parse(UnsafeRawBufferPointer(rebasing: bytes[used...]))
                }
            } catch {
                log.error = error as? HTTPError
                return log
            }
            used += result.consumed
            switch result.event {
            case .needsInput: progressed = true
            case .head: log.heads += 1
            case .body(let bytes): log.body += Array(bytes)
            case .end: log.ends += 1
            }
            if progressed { break }
        }
        offset = end
        if offset == input.count { break }
    }
    return log
}

func parse(_ input: String, step: Int = .max, limits: HTTPLimits = HTTPLimits()) -> ParseLog {
    parse(Array(input), step: step, limits: limits)
}

@Suite struct ParserEvents {
    @Test func simpleGetGivesHeadThenEnd() {
        let log = parse("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(log.error == nil)
        #expect(log.heads == 1)
        #expect(log.ends == 1)
        #expect(log.body.isEmpty)
    }

    @Test func storedHeadIsExposedAsARequest() throws {
        var parser = HTTPRequestParser()
        let input = Array("POST http://Example.com:8080/a%20b/c?x=1&y HTTP/1.1\r\nHost: ignored\r\n"
            + "X-Test:   spaced value \t\r\nCONTENT-LENGTH: 3\r\n\r\nabc")
        try input.withUnsafeBytes { bytes in
            let first = try parser.parse(bytes)
            guard case .head = first.event else { Issue.record("expected head"); return }
            let parsed = parser.request(body: UnsafeRawBufferPointer(start: nil, count: 0))
            let request = try #require(parsed)
            #expect(request.method == .post)
            #expect(request.version == .http1_1)
            #expect(text(request.target) == "http://Example.com:8080/a%20b/c?x=1&y")
            #expect(text(request.path) == "/a%20b/c")
            #expect(text(request.query) == "x=1&y")
            #expect(text(request.host) == "Example.com:8080")
            #expect(request.headers.count == 3)
            #expect(text(request.headers[1].name) == "X-Test")
            #expect(text(request.headers[1].value) == "spaced value")
            #expect(text(request.header("content-length")) == "3")
            #expect(request.header("absent") == nil)
            #expect(request.keepAlive)
            let second = try parser.parse(UnsafeRawBufferPointer(rebasing: bytes[first.consumed...]))
            guard case .body(let content) = second.event else { Issue.record("expected body"); return }
            #expect(text(content) == "abc")
            #expect(first.consumed + second.consumed == input.count)
        }
    }

    @Test func absoluteFormWithoutPathMeansRoot() throws {
        var parser = HTTPRequestParser()
        try Array("GET HTTP://host?q HTTP/1.1\r\nHost: h\r\n\r\n").withUnsafeBytes { bytes in
            _ = try parser.parse(bytes)
            let parsed = parser.request(body: UnsafeRawBufferPointer(start: nil, count: 0))
            let request = try #require(parsed)
            #expect(text(request.path) == "/")
            #expect(text(request.query) == "q")
            #expect(text(request.host) == "host")
        }
    }

    @Test func leadingEmptyLinesAreIgnored() {
        // RFC 9112 §2.2: a server SHOULD ignore at least one empty line before the request-line.
        let log = parse("\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(log.error == nil && log.ends == 1)
    }

    @Test func everyChunkingGivesTheSameResult() {
        let input = "POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "5;name=value\r\nhello\r\n1\r\n,\r\n0\r\nTrailer: x\r\n\r\n"
        for step in 1...input.utf8.count {
            let log = parse(input, step: step)
            #expect(log.error == nil, "step \(step)")
            #expect(text(log.body) == "hello,", "step \(step)")
            #expect(log.ends == 1, "step \(step)")
        }
    }

    @Test func errorIsSticky() {
        var parser = HTTPRequestParser()
        let bad = Array("GET / HTTP/1.1\r\nBad Name: x\r\n\r\n")
        let good = Array("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(throws: HTTPError.whitespaceBeforeColon) {
            try bad.withUnsafeBytes { bytes in _ = try parser.parse(bytes) }
        }
        #expect(parser.failure == .whitespaceBeforeColon)
        #expect(throws: HTTPError.whitespaceBeforeColon) {
            try good.withUnsafeBytes { bytes in _ = try parser.parse(bytes) }
        }
    }
}

@Suite struct ParserErrors {
    /// (request, the error it must produce)
    static let cases: [(String, HTTPError)] = [
        ("GET / HTTP/1.1\nHost: a\r\n\r\n", .invalidLineEnding),
        ("GET / HTTP/1.1\r\nHost: a\n\r\n", .invalidLineEnding),
        ("GET /  HTTP/1.1\r\nHost: a\r\n\r\n", .invalidRequestLine),
        ("GET  / HTTP/1.1\r\nHost: a\r\n\r\n", .invalidRequestLine),
        (" GET / HTTP/1.1\r\nHost: a\r\n\r\n", .invalidRequestLine),
        ("GET /\r\n\r\n", .invalidRequestLine),
        ("GET / HTTP/1.1 x\r\nHost: a\r\n\r\n", .invalidRequestLine),
        ("G(T / HTTP/1.1\r\nHost: a\r\n\r\n", .invalidMethod),
        ("GET a/b HTTP/1.1\r\nHost: a\r\n\r\n", .invalidTarget),
        ("GET /a\"b HTTP/1.1\r\nHost: a\r\n\r\n", .invalidTarget),
        ("GET /a#frag HTTP/1.1\r\nHost: a\r\n\r\n", .invalidTarget),
        ("GET /%4 HTTP/1.1\r\nHost: a\r\n\r\n", .invalidTarget),
        ("GET /%zz HTTP/1.1\r\nHost: a\r\n\r\n", .invalidTarget),
        ("GET /\u{7f} HTTP/1.1\r\nHost: a\r\n\r\n", .invalidTarget),
        ("GET * HTTP/1.1\r\nHost: a\r\n\r\n", .invalidTarget),
        ("GET http:///x HTTP/1.1\r\nHost: a\r\n\r\n", .invalidTarget),
        ("GET http://user@host/ HTTP/1.1\r\nHost: a\r\n\r\n", .invalidTarget),
        ("GET example.com:80 HTTP/1.1\r\nHost: a\r\n\r\n", .invalidTarget),
        ("GET / http/1.1\r\nHost: a\r\n\r\n", .invalidVersion),
        ("GET / HTTP/1.10\r\nHost: a\r\n\r\n", .invalidVersion),
        ("GET / HTTP/1\r\nHost: a\r\n\r\n", .invalidVersion),
        ("GET / HTTP/2.0\r\nHost: a\r\n\r\n", .unsupportedVersion),
        ("GET / HTTP/0.9\r\nHost: a\r\n\r\n", .unsupportedVersion),
        ("BREW / HTTP/1.1\r\nHost: a\r\n\r\n", .unsupportedMethod),
        ("get / HTTP/1.1\r\nHost: a\r\n\r\n", .unsupportedMethod),
        ("CONNECT /x HTTP/1.1\r\nHost: a\r\n\r\n", .unsupportedMethod),
        ("GET / HTTP/1.1\r\nHost: a\r\nBad(Name: x\r\n\r\n", .invalidFieldName),
        ("GET / HTTP/1.1\r\nHost: a\r\n: x\r\n\r\n", .invalidFieldName),
        ("GET / HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n", .invalidFieldName),
        ("GET / HTTP/1.1\r\nHost: a\r\nName : x\r\n\r\n", .whitespaceBeforeColon),
        ("GET / HTTP/1.1\r\nHost: a\r\nName\t: x\r\n\r\n", .whitespaceBeforeColon),
        ("GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n  folded\r\n\r\n", .obsoleteLineFolding),
        ("GET / HTTP/1.1\r\n Host: a\r\n\r\n", .obsoleteLineFolding),
        ("GET / HTTP/1.1\r\nHost: a\r\nX: a\u{0}b\r\n\r\n", .invalidFieldValue),
        ("GET / HTTP/1.1\r\nHost: a\r\nX: a\rb\r\n\r\n", .invalidFieldValue),
        ("GET / HTTP/1.1\r\nHost: a\r\nX: a\u{1b}b\r\n\r\n", .invalidFieldValue),
        ("GET / HTTP/1.1\r\n\r\n", .missingHost),
        ("GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n", .duplicateHost),
        ("GET / HTTP/1.1\r\nHost: a b\r\n\r\n", .invalidHost),
        ("GET / HTTP/1.1\r\nHost: u@h\r\n\r\n", .invalidHost),
        ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", .invalidContentLength),
        ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1 2\r\n\r\n", .invalidContentLength),
        ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length:\r\n\r\n", .invalidContentLength),
        ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0x10\r\n\r\n", .invalidContentLength),
        ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5,\r\n\r\n", .invalidContentLength),
        ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", .conflictingContentLength),
        ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 6\r\n\r\n", .conflictingContentLength),
        ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999999\r\n\r\n", .contentTooLarge),
        ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 65537\r\n\r\n", .contentTooLarge),
        ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n",
         .transferEncodingWithContentLength),
        ("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", .transferEncodingInHTTP1_0),
        ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", .invalidTransferEncoding),
        ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
         .invalidTransferEncoding),
        ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: ,\r\n\r\n", .invalidTransferEncoding),
        ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", .unsupportedTransferCoding),
        ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: identity\r\n\r\n", .invalidTransferEncoding),
        ("POST / HTTP/1.1\r\nHost: a\r\nExpect: 200-ok\r\n\r\n", .unsupportedExpectation),
        ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nx\r\n", .invalidChunkSize),
        ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n 5\r\n", .invalidChunkSize),
        ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5 x\r\n", .invalidChunkSize),
        ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;a\u{1}\r\n", .invalidChunkSize),
        ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000000\r\n",
         .chunkSizeOverflow),
        ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n10001\r\n", .contentTooLarge),
        ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n8000\r\n" + String(repeating: "x", count: 32768)
            + "\r\n8000\r\n" + String(repeating: "x", count: 32768) + "\r\n1\r\n", .contentTooLarge),
        ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n", .invalidChunkTerminator),
        ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\rX", .invalidChunkTerminator),
        ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nBad : x\r\n\r\n",
         .whitespaceBeforeColon),
        ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1;" + String(repeating: "e", count: 1100)
            + "\r\n", .chunkLineTooLong),
    ]

    @Test func eachBrokenInputGivesItsError() {
        for (input, expected) in Self.cases {
            let whole = parse(input)
            #expect(whole.error == expected, "\(input.debugDescription)")
            // The same error however the bytes arrive.
            let byteByByte = parse(input, step: 1)
            #expect(byteByByte.error == expected, "byte by byte: \(input.debugDescription)")
        }
    }

    @Test func requestLineLimitIsExact() {
        let atLimit = "GET /" + String(repeating: "a", count: 8192 - 14) + " HTTP/1.1"
        #expect(atLimit.utf8.count == 8192)
        #expect(parse(atLimit + "\r\nHost: a\r\n\r\n").error == nil)
        let overLimit = "GET /" + String(repeating: "a", count: 8192 - 13) + " HTTP/1.1"
        #expect(parse(overLimit + "\r\nHost: a\r\n\r\n").error == .requestLineTooLong)
        // Refused as soon as the limit is passed, without waiting for the line to end.
        #expect(parse("GET /" + String(repeating: "a", count: 9000)).error == .requestLineTooLong)
    }

    @Test func headerSectionLimitIsExact() {
        // Field lines count with their CRLF: "Host: a\r\n" is 9 bytes, "X: …\r\n" 5 plus the value.
        let filler = 16384 - 9 - 5
        let atLimit = "GET / HTTP/1.1\r\nHost: a\r\nX: " + String(repeating: "v", count: filler) + "\r\n\r\n"
        #expect(parse(atLimit).error == nil)
        #expect(parse(atLimit, step: 1).error == nil)
        let overLimit = "GET / HTTP/1.1\r\nHost: a\r\nX: " + String(repeating: "v", count: filler + 1) + "\r\n\r\n"
        #expect(parse(overLimit).error == .headerSectionTooLarge)
        #expect(parse(overLimit, step: 1).error == .headerSectionTooLarge)
    }

    @Test func fieldCountLimitIsExact() {
        let fields = (0..<99).map { "X-\($0): v\r\n" }.joined()
        #expect(parse("GET / HTTP/1.1\r\nHost: a\r\n" + fields + "\r\n").error == nil)
        #expect(parse("GET / HTTP/1.1\r\nHost: a\r\nY: z\r\n" + fields + "\r\n").error == .tooManyHeaderFields)
    }

    @Test func acceptedVariants() {
        // Identical Content-Length values, as lines or a list (RFC 9110 §8.6 allows either).
        #expect(parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\ncontent-length: 3\r\n\r\nabc").body == Array("abc"))
        #expect(parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3 , 3\r\n\r\nabc").body == Array("abc"))
        // Minor versions above 1 are HTTP/1.1 (RFC 9110 §6.2); 1.0 needs no Host.
        #expect(parse("GET / HTTP/1.9\r\nHost: a\r\n\r\n").ends == 1)
        #expect(parse("GET / HTTP/1.0\r\n\r\n").ends == 1)
        // OPTIONS * (RFC 9112 §3.2.4), an empty Host (RFC 9112 §3.2), an IPv6 literal.
        #expect(parse("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n").ends == 1)
        #expect(parse("GET / HTTP/1.1\r\nHost:\r\n\r\n").ends == 1)
        #expect(parse("GET / HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n").ends == 1)
        // Transfer codings and chunked are case-insensitive; chunk-size hex either case.
        #expect(parse("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: CHUNKED\r\n\r\nA\r\n0123456789\r\n0\r\n\r\n").body.count == 10)
        // obs-text in a field value is allowed (RFC 9110 §5.5).
        #expect(parse(Array("GET / HTTP/1.1\r\nHost: a\r\nX: ".utf8) + [0xe9, 0xff] + Array("\r\n\r\n".utf8)).ends == 1)
    }
}

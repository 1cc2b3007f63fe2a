// Routing by method and path, shared handler state, and the writer's refusal of broken responses.
import Testing
import HTTP

@Suite struct Routing {
    @Test func contextIsSharedAcrossRequests() {
        var router = fixtureRouter()
        let put = "PUT /count HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n"
        let transcript = exchange([Array(put + put + put)], handler: &router)
        #expect(transcript.text == String(repeating: "HTTP/1.1 204 No Content\r\n\r\n", count: 3))
        #expect(router.context.puts == 3)
    }

    @Test func hostAndQueryReachTheHandler() {
        var router = fixtureRouter()
        _ = exchange([Array("GET /?a=b HTTP/1.1\r\nHost: example.org\r\n\r\n")], handler: &router)
        #expect(router.context.lastHost == "example.org")
        #expect(router.context.lastQuery == "a=b")
        _ = exchange([Array("GET http://other.example/ HTTP/1.1\r\nHost: example.org\r\n\r\n")], handler: &router)
        // RFC 9112 §3.2.2: the absolute-form's authority replaces Host.
        #expect(router.context.lastHost == "other.example")
        #expect(router.context.lastQuery == nil)
    }

    @Test func prefixRoutesAndFirstMatchWins() {
        var router = HTTPRouter()
        router.add(.get, "/a/", matching: .prefix) { _, _, response in response.respond(status: .ok, body: "prefix") }
        router.add(.get, "/a/b") { _, _, response in response.respond(status: .ok, body: "exact") }
        router.add(.post, "/a/b") { _, _, response in response.respond(status: .created, body: "post") }
        let get = exchange([Array("GET /a/b HTTP/1.1\r\nHost: a\r\n\r\n")], handler: &router)
        #expect(get.text.hasSuffix("\r\n\r\nprefix"))
        let post = exchange([Array("POST /a/b HTTP/1.1\r\nHost: a\r\n\r\n")], handler: &router)
        #expect(post.text == "HTTP/1.1 201 Created\r\nContent-Length: 4\r\n\r\npost")
        let put = exchange([Array("PUT /a/b HTTP/1.1\r\nHost: a\r\n\r\n")], handler: &router)
        #expect(put.text.contains("\r\nAllow: GET, HEAD, POST\r\n"))
        let other = exchange([Array("GET /a HTTP/1.1\r\nHost: a\r\n\r\n")], handler: &router)
        #expect(other.text.hasPrefix("HTTP/1.1 404 Not Found\r\n"))
    }

    @Test func headRouteTakesPrecedenceOverGet() {
        var router = HTTPRouter()
        router.add(.get, "/") { _, _, response in response.respond(status: .ok, body: "get") }
        router.add(.head, "/") { _, _, response in response.respond(status: .accepted, body: "head!") }
        let transcript = exchange([Array("HEAD / HTTP/1.1\r\nHost: a\r\n\r\n")], handler: &router)
        #expect(transcript.text == "HTTP/1.1 202 Accepted\r\nContent-Length: 5\r\n\r\n")
    }

    @Test func asteriskOptionsIsRoutable() {
        var router = HTTPRouter()
        router.add(.options, "*") { _, _, response in
            response.writeHead(status: .noContent, contentLength: 0)
            response.writeHeader("Allow", methods: [HTTPMethodSet(.get), HTTPMethodSet(.options)])
        }
        let transcript = exchange([Array("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n")], handler: &router)
        #expect(transcript.text == "HTTP/1.1 204 No Content\r\nAllow: GET, OPTIONS\r\n\r\n")
    }
}

extension HTTPStatus {
    static let accepted = HTTPStatus(code: 202, reason: "Accepted")
}

@Suite struct WriterMisuse {
    static let internalError = "HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/plain\r\n"
        + "Content-Length: 22\r\nConnection: close\r\n\r\nInternal Server Error\n"

    @Test func shortContentBecomes500() {
        let transcript = exchange("GET /short HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(transcript.text == Self.internalError)
        #expect(transcript.state == .closed)
    }

    @Test func headerInjectionBecomes500() {
        // The value is a request-target, which cannot hold CR/LF; a %0d stays encoded, and a
        // handler that tries to write raw control bytes is refused.
        #expect(exchange("GET /inject?%0d%0a HTTP/1.1\r\nHost: a\r\n\r\n").text
            == "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nX-Echo: /inject?%0d%0a\r\n\r\n")
        var router = HTTPRouter()
        router.add(.get, "/") { _, _, response in
            response.writeHead(status: .ok, contentLength: 0)
            response.writeHeader("X", "a\r\nSet-Cookie: b")
        }
        #expect(exchange([Array("GET / HTTP/1.1\r\nHost: a\r\n\r\n")], handler: &router).text == Self.internalError)
    }

    @Test func silentHandlerBecomes500() {
        var router = HTTPRouter()
        router.add(.get, "/") { _, _, _ in }
        #expect(exchange([Array("GET / HTTP/1.1\r\nHost: a\r\n\r\n")], handler: &router).text == Self.internalError)
    }

    @Test func overflowingTheOutputBufferBecomes500() {
        var limits = HTTPLimits()
        limits.outputBufferLength = 512
        var router = HTTPRouter()
        router.add(.get, "/") { _, _, response in
            response.writeHead(status: .ok, contentLength: 600)
            for _ in 0..<60 { response.writeBody("0123456789") }
        }
        let transcript = exchange([Array("GET / HTTP/1.1\r\nHost: a\r\n\r\n")], handler: &router, limits: limits)
        #expect(transcript.text == Self.internalError)
    }

    @Test func tooMuchContentOrFieldsAfterContentBecome500() {
        var router = HTTPRouter()
        router.add(.get, "/long") { _, _, response in response.writeHead(status: .ok, contentLength: 1); response.writeBody("ab") }
        router.add(.get, "/late") { _, _, response in
            response.respond(status: .ok, body: "x")
            response.writeHeader("Late", "1")
        }
        router.add(.get, "/twice") { _, _, response in
            response.respond(status: .ok, body: "x")
            response.respond(status: .ok, body: "y")
        }
        router.add(.get, "/nocontent") { _, _, response in response.writeHead(status: .noContent, contentLength: 3) }
        for path in ["/long", "/late", "/twice", "/nocontent"] {
            #expect(exchange([Array("GET \(path) HTTP/1.1\r\nHost: a\r\n\r\n")], handler: &router).text
                == Self.internalError, "\(path)")
        }
    }

    @Test func headersWithDecimalAndStaticValues() {
        var router = HTTPRouter()
        router.add(.get, "/") { _, _, response in
            response.writeHead(status: .ok, contentLength: 2, contentType: "text/html")
            response.writeHeader("Cache-Control", "no-store")
            response.writeHeader("X-Number", decimal: 18_446_744_073_709_551_615)
            response.writeBody("ok")
        }
        #expect(exchange([Array("GET / HTTP/1.1\r\nHost: a\r\n\r\n")], handler: &router).text
            == "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 2\r\nCache-Control: no-store\r\n"
            + "X-Number: 18446744073709551615\r\n\r\nok")
    }
}

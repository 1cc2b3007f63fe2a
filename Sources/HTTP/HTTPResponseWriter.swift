/// Serialises one response into the connection's output buffer: status line, fields, content.

/// The response a handler writes, lent to it for one call.
///
/// Write the head, optionally more fields, then exactly `contentLength` bytes of content;
/// or use one of the `respond` shortcuts. Responses are always HTTP/1.1 (RFC 9110 §6.2: a
/// server sends its own highest version) and deterministic: no Date field (RFC 9110 §6.6.1
/// exempts an origin server without a reliable clock). For a HEAD request the content is
/// counted but not sent (RFC 9110 §9.3.2). Misuse never traps: a response that overflows
/// the buffer, writes fields after content, or writes a different amount of content than it
/// announced is replaced by a 500 and the connection closes.
public struct HTTPResponseWriter: ~Copyable {
    enum Phase { case start, fields, content, failed }

    let base: UnsafeMutableRawPointer?
    let capacity: Int
    /// Bytes written so far.
    var count = 0
    var phase = Phase.start
    /// HEAD: announce the content, send none.
    let omitsContent: Bool
    let requestVersion: HTTPVersion
    /// Whether the connection stays open after this response.
    public private(set) var keepAlive: Bool
    var announcedLength = 0
    var contentWritten = 0
    var borrowedContent: UnsafeRawBufferPointer? = nil

    init(buffer: UnsafeMutableRawBufferPointer, method: HTTPMethod?, version: HTTPVersion, keepAlive: Bool) {
        base = buffer.baseAddress
        capacity = buffer.count
        omitsContent = method == .head
        requestVersion = version
        self.keepAlive = keepAlive
    }

    /// Bytes still free in the output buffer.
    public var remainingCapacity: Int { capacity - count }

    /// Whether the response has been spoiled and will be replaced by a 500.
    public var failed: Bool { phase == .failed }

    /// Asks for the connection to close after this response. Before the content starts this
    /// also sends "Connection: close" (RFC 9112 §9.6).
    public mutating func closeConnection() { keepAlive = false }

    /// Writes the status line and the Content-Type and Content-Length fields. A 1xx, 204 or
    /// 304 status gets no Content-Length and must have `contentLength` 0 (RFC 9110 §8.6).
    public mutating func writeHead(status: HTTPStatus, contentLength: Int, contentType: StaticString? = nil) {
        guard phase == .start, contentLength >= 0, !status.forbidsContent || contentLength == 0 else {
            return fail()
        }
        phase = .fields
        append("HTTP/1.1 ")
        appendDecimal(UInt64(status.code))
        append(" ")
        append(status.reason)
        append("\r\n")
        if let contentType { writeHeader("Content-Type", contentType) }
        if !status.forbidsContent {
            append("Content-Length: ")
            appendDecimal(UInt64(contentLength))
            append("\r\n")
        }
        announcedLength = contentLength
    }

    /// Writes one more field. A name that is not a token, or a value holding CR, LF or
    /// another control byte, spoils the response: it would let a handler split it.
    public mutating func writeHeader(_ name: StaticString, _ value: UnsafeRawBufferPointer) {
        guard startField(name) else { return }
        for byte in value where !ASCII.isFieldValueCharacter(byte) { return fail() }
        append(name)
        append(": ")
        append(value)
        append("\r\n")
    }

    /// Writes one more field with a constant value.
    public mutating func writeHeader(_ name: StaticString, _ value: StaticString) {
        writeHeader(name, UnsafeRawBufferPointer(start: value.utf8Start, count: value.utf8CodeUnitCount))
    }

    /// Writes one more field with a decimal value.
    public mutating func writeHeader(_ name: StaticString, decimal value: UInt64) {
        guard startField(name) else { return }
        append(name)
        append(": ")
        appendDecimal(value)
        append("\r\n")
    }

    /// Writes an Allow field listing `methods` (RFC 9110 §10.2.1), in `HTTPMethod` order.
    public mutating func writeHeader(_ name: StaticString, methods: HTTPMethodSet) {
        guard startField(name) else { return }
        append(name)
        append(": ")
        var first = true
        for method in HTTPMethod.allCases where methods.contains(method) {
            if !first { append(", ") }
            append(method.name)
            first = false
        }
        append("\r\n")
    }

    /// Writes content; the total must not exceed the announced length.
    public mutating func writeBody(_ bytes: UnsafeRawBufferPointer) {
        if phase == .fields { endFields() }
        guard phase == .content, bytes.count <= announcedLength - contentWritten else { return fail() }
        contentWritten += bytes.count
        if !omitsContent { append(bytes) }
    }

    /// Writes constant content.
    public mutating func writeBody(_ text: StaticString) {
        writeBody(UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// A whole response from `body`, copied into the output buffer.
    public mutating func respond(status: HTTPStatus, contentType: StaticString? = nil, body: UnsafeRawBufferPointer) {
        writeHead(status: status, contentLength: body.count, contentType: contentType)
        writeBody(body)
    }

    /// A whole response from constant text.
    public mutating func respond(status: HTTPStatus, contentType: StaticString? = nil, body: StaticString) {
        respond(status: status, contentType: contentType,
                body: UnsafeRawBufferPointer(start: body.utf8Start, count: body.utf8CodeUnitCount))
    }

    /// A whole response whose content is not copied but sent from `body` as the transport
    /// takes it, so it may be larger than the output buffer. `body` must stay valid and
    /// unchanged until the connection has sent it (read-only data in the image, say).
    public mutating func respond(status: HTTPStatus, contentType: StaticString? = nil,
                                 borrowedBody body: UnsafeRawBufferPointer) {
        writeHead(status: status, contentLength: body.count, contentType: contentType)
        endFields()
        guard phase == .content else { return fail() }
        contentWritten = body.count
        if !omitsContent && body.count > 0 { borrowedContent = body }
    }

    /// 405 listing the methods the resource allows (RFC 9110 §15.5.6: a 405 MUST carry Allow).
    public mutating func respondMethodNotAllowed(allowing methods: HTTPMethodSet) {
        let reason = HTTPStatus.methodNotAllowed.reason
        writeHead(status: .methodNotAllowed, contentLength: reason.utf8CodeUnitCount + 1, contentType: "text/plain")
        writeHeader("Allow", methods: methods)
        writeBody(reason)
        writeBody("\n")
    }

    /// A response with `status` and its reason phrase as a short text/plain body.
    public mutating func respond(status: HTTPStatus) {
        if status.forbidsContent {
            writeHead(status: status, contentLength: 0)
            endFields()
            return
        }
        writeHead(status: status, contentLength: status.reason.utf8CodeUnitCount + 1, contentType: "text/plain")
        writeBody(status.reason)
        writeBody("\n")
    }
}

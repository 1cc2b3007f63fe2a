/// One streamed response in flight: its head, then content pulled from a body source.

import HTTP

/// The state of a response whose content is generated as TCP makes room.
struct ResponseStream<Body: HTTPBodySource> {
    let status: HTTPStatus
    let contentType: StaticString?
    /// Content-Length, as announced.
    let length: Int
    var body: Body
    /// HEAD: announce the length, send no content (RFC 9110 §9.3.2).
    let omitsContent: Bool
    let version: HTTPVersion
    let keepAlive: Bool
    let acceptsRanges: Bool
    let contentRange: HTTPContentRange?
    var headWritten = false
    /// Content bytes produced so far.
    var produced = 0

    init(status: HTTPStatus, contentType: StaticString?, length: Int, body: Body, omitsContent: Bool,
         version: HTTPVersion, keepAlive: Bool, acceptsRanges: Bool = false, contentRange: HTTPContentRange? = nil) {
        self.acceptsRanges = acceptsRanges
        self.contentRange = contentRange
        self.status = status
        self.contentType = contentType
        self.length = length
        self.body = body
        self.omitsContent = omitsContent
        self.version = version
        self.keepAlive = keepAlive
    }

    /// Whether the head and every content byte have been produced.
    var isFinished: Bool { headWritten && (omitsContent || produced == length) }

    /// Fills `buffer` with the next bytes of the response: the whole head first (nil when
    /// it does not fit, which the caller's 512-byte minimum rules out for sane content
    /// types), then content; nil also when the body source fails.
    mutating func produce(into buffer: UnsafeMutableRawBufferPointer) -> Int? {
        var written = 0
        if !headWritten {
            guard let headLength = writeHead(into: buffer) else { return nil }
            headWritten = true
            written = headLength
        }
        guard !omitsContent else { return written }
        let count = Swift.min(length - produced, buffer.count - written)
        if count > 0 {
            guard body.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[written..<written + count]),
                            at: produced) else { return nil }
            produced += count
            written += count
        }
        return written
    }

    /// The status line and fields (RFC 9112 §4, §6.3), in the same form `HTTPResponseWriter`
    /// uses: HTTP/1.1 always, no Date (RFC 9110 §6.6.1), the Connection field as RFC 9112
    /// §9.6 and appendix C.2.2 require.
    func writeHead(into buffer: UnsafeMutableRawBufferPointer) -> Int? {
        var writer = ByteWriter(buffer: buffer)
        writer.append("HTTP/1.1 ")
        writer.append(decimal: UInt64(status.code))
        writer.append(" ")
        writer.append(status.reason)
        writer.append("\r\n")
        if let contentType {
            writer.append("Content-Type: ")
            writer.append(contentType)
            writer.append("\r\n")
        }
        if !status.forbidsContent {
            writer.append("Content-Length: ")
            writer.append(decimal: UInt64(length))
            writer.append("\r\n")
        }
        if acceptsRanges { writer.append("Accept-Ranges: bytes\r\n") }
        if let range = contentRange {
            writer.append("Content-Range: bytes ")
            writer.append(decimal: range.first)
            writer.append("-")
            writer.append(decimal: range.last)
            writer.append("/")
            writer.append(decimal: range.completeLength)
            writer.append("\r\n")
        }
        if !keepAlive {
            writer.append("Connection: close\r\n")
        } else if version == .http1_0 {
            writer.append("Connection: keep-alive\r\n")
        }
        writer.append("\r\n")
        return writer.overflowed ? nil : writer.count
    }
}

/// Appends text and numbers to a fixed buffer, remembering whether anything did not fit.
struct ByteWriter {
    let buffer: UnsafeMutableRawBufferPointer
    var count = 0
    var overflowed = false

    init(buffer: UnsafeMutableRawBufferPointer) {
        self.buffer = buffer
    }

    // Out of line: the head is written once per response, and inlining every append into
    // writeHead cost more than a kilobyte of image.
    @inline(never)
    mutating func append(_ text: StaticString) {
        append(UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    @inline(never)
    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        guard !overflowed, bytes.count <= buffer.count - count else {
            overflowed = true
            return
        }
        if let source = bytes.baseAddress, let destination = buffer.baseAddress, bytes.count > 0 {
            (destination + count).copyMemory(from: source, byteCount: bytes.count)
        }
        count += bytes.count
    }

    /// `value` in decimal, without leading zeros.
    @inline(never)
    mutating func append(decimal value: UInt64) {
        var divisor: UInt64 = 1
        while value / divisor >= 10 { divisor *= 10 }
        while divisor > 0 {
            var digit = UInt8(truncatingIfNeeded: (value / divisor) % 10) + 0x30
            withUnsafeBytes(of: &digit) { append($0) }
            divisor /= 10
        }
    }
}

/// The client side of HTTP/1.1: reads a response's status line and fields, then hands over the
/// body however it is framed — Content-Length, chunked, or until the server closes (RFC 9112 §6.3).

public enum HTTPResponseError: Error, Equatable, Sendable {
    case badStatusLine
    case badField
    case headTooLarge
    case badContentLength
    case badChunk
    /// The connection ended before the framing said the body was complete.
    case truncated
}

public struct HTTPResponseReader: ~Copyable {
    enum Phase { case head, fixedBody, chunkSize, chunkData, chunkDataEnd, trailer, untilClose, done }

    public private(set) var status: UInt16 = 0
    /// Body bytes handed over so far.
    public private(set) var bodyLength: UInt64 = 0
    private var phase = Phase.head
    private var remaining: UInt64 = 0
    private var contentLength: UInt64? = nil
    private var chunked = false
    private var line: UnsafeMutableRawBufferPointer
    private var lineLength = 0
    private var sawStatusLine = false

    /// `headLimit` bounds one line of the head and of chunk framing.
    public init(headLimit: Int = 8192) {
        line = .allocate(byteCount: headLimit, alignment: 1)
    }

    deinit { line.deallocate() }

    public var isComplete: Bool { phase == .done }

    /// Consumes all of `bytes`, calling `body` with each run of body bytes.
    public mutating func receive(_ bytes: UnsafeRawBufferPointer,
                                 body: (UnsafeRawBufferPointer) -> Void) throws(HTTPResponseError) {
        var index = 0
        while index < bytes.count, phase != .done {
            switch phase {
            case .fixedBody, .chunkData:
                let count = Int(min(remaining, UInt64(bytes.count - index)))
                body(UnsafeRawBufferPointer(rebasing: bytes[index..<index + count]))
                bodyLength += UInt64(count)
                remaining -= UInt64(count)
                index += count
                if remaining == 0 { phase = phase == .fixedBody ? .done : .chunkDataEnd }
            case .untilClose:
                body(UnsafeRawBufferPointer(rebasing: bytes[index...]))
                bodyLength += UInt64(bytes.count - index)
                index = bytes.count
            case .head, .chunkSize, .chunkDataEnd, .trailer:
                let byte = bytes[index]
                index += 1
                if byte == 0x0a {
                    var end = lineLength
                    if end > 0 && line[end - 1] == 0x0d { end -= 1 }
                    lineLength = 0
                    try endOfLine(UnsafeRawBufferPointer(rebasing: line[0..<end]))
                } else {
                    guard lineLength < line.count else { throw .headTooLarge }
                    line[lineLength] = byte
                    lineLength += 1
                }
            case .done:
                break
            }
        }
    }

    /// The server closed the connection: complete for a close-delimited body, else truncated.
    public mutating func receiveEnd() throws(HTTPResponseError) {
        if phase == .untilClose { phase = .done }
        guard phase == .done else { throw .truncated }
    }

    private mutating func endOfLine(_ text: UnsafeRawBufferPointer) throws(HTTPResponseError) {
        switch phase {
        case .head:
            if !sawStatusLine {
                try parseStatusLine(text)
                sawStatusLine = true
            } else if text.isEmpty {
                startBody()
            } else {
                try parseField(text)
            }
        case .chunkSize:
            // RFC 9112 §7.1: chunk-size in hex, optional extensions after ';'.
            var size: UInt64 = 0
            var digits = 0
            for byte in text {
                guard let value = ASCII.hexadecimalValue(byte) else {
                    if byte == ASCII.semicolon || ASCII.isWhitespace(byte) { break }
                    throw .badChunk
                }
                guard size >> 60 == 0 else { throw .badChunk }
                size = size << 4 | UInt64(value)
                digits += 1
            }
            guard digits > 0 else { throw .badChunk }
            remaining = size
            phase = size == 0 ? .trailer : .chunkData
        case .chunkDataEnd:
            guard text.isEmpty else { throw .badChunk }
            phase = .chunkSize
        case .trailer:
            if text.isEmpty { phase = .done }
        default:
            break
        }
    }

    /// `HTTP/1.x NNN reason` (RFC 9112 §4).
    private mutating func parseStatusLine(_ text: UnsafeRawBufferPointer) throws(HTTPResponseError) {
        let prefix: StaticString = "HTTP/1."
        guard text.count >= 12, ASCII.equals(UnsafeRawBufferPointer(rebasing: text[0..<7]), prefix),
              ASCII.isDigit(text[7]), text[8] == ASCII.space else { throw .badStatusLine }
        var code: UInt16 = 0
        for index in 9..<12 {
            guard ASCII.isDigit(text[index]) else { throw .badStatusLine }
            code = code * 10 + UInt16(text[index] - 0x30)
        }
        guard code >= 100, text.count == 12 || text[12] == ASCII.space else { throw .badStatusLine }
        status = code
    }

    private mutating func parseField(_ text: UnsafeRawBufferPointer) throws(HTTPResponseError) {
        guard let colon = text.firstIndex(of: ASCII.colon), colon > 0 else { throw .badField }
        let name = UnsafeRawBufferPointer(rebasing: text[0..<colon])
        var start = colon + 1
        var end = text.count
        while start < end, ASCII.isWhitespace(text[start]) { start += 1 }
        while end > start, ASCII.isWhitespace(text[end - 1]) { end -= 1 }
        let value = UnsafeRawBufferPointer(rebasing: text[start..<end])
        if ASCII.equalsIgnoringCase(name, "content-length") {
            var length: UInt64 = 0
            guard !value.isEmpty else { throw .badContentLength }
            for byte in value {
                guard ASCII.isDigit(byte), length < UInt64.max / 10 - 9 else { throw .badContentLength }
                length = length * 10 + UInt64(byte - 0x30)
            }
            // RFC 9112 §6.3: differing Content-Length values make the framing unknowable.
            if let existing = contentLength, existing != length { throw .badContentLength }
            contentLength = length
        } else if ASCII.equalsIgnoringCase(name, "transfer-encoding") {
            let chunkedName: StaticString = "chunked"
            chunked = value.count >= chunkedName.utf8CodeUnitCount
                && ASCII.equalsIgnoringCase(UnsafeRawBufferPointer(rebasing: value[(value.count - 7)...]), chunkedName)
        }
    }

    /// RFC 9112 §6.3: 1xx, 204 and 304 have no body; chunked wins over Content-Length;
    /// otherwise Content-Length, or everything until the server closes.
    private mutating func startBody() {
        if status < 200 {
            sawStatusLine = false // an interim response: the real one follows
            contentLength = nil
            chunked = false
            return
        }
        if status == 204 || status == 304 {
            phase = .done
        } else if chunked {
            phase = .chunkSize
        } else if let contentLength {
            remaining = contentLength
            phase = contentLength == 0 ? .done : .fixedBody
        } else {
            phase = .untilClose
        }
    }
}

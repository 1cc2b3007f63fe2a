/// The incremental request parser: bytes in at any chunking, head / body / end events out (RFC 9112).

/// What one call to `HTTPRequestParser.parse` found.
public enum HTTPParseEvent {
    /// All input was consumed and the request is not complete yet.
    case needsInput
    /// The head is complete and valid; `HTTPRequestParser.head` describes it.
    case head
    /// A run of content bytes, de-chunked: a slice of the input just passed in.
    case body(UnsafeRawBufferPointer)
    /// The request is complete. The next call starts the next request, reusing the storage.
    case end
}

/// The result of one `parse` call: how much input it used and what that produced.
public struct HTTPParseResult {
    /// Input bytes used; the caller passes the rest on the next call.
    public let consumed: Int
    public let event: HTTPParseEvent
}

/// A push parser for HTTP/1.1 requests.
///
/// Feed it bytes as they arrive; it copies the request-line and field lines into storage
/// allocated once at creation (`HTTPLimits.headStorageLength` bytes), so a head split at any
/// byte parses the same as one delivered whole. Content is not copied: `.body` events are
/// slices of the input. After an error every call throws the same error again: the framing
/// of anything that follows is unknown, so the connection must close (RFC 9112 §9.6 ff.).
///
/// Line endings must be CRLF; a bare LF is refused (RFC 9112 §2.2 only permits accepting
/// one, and refusing it leaves no room for request smuggling between parsers that differ).
public struct HTTPRequestParser: ~Copyable {
    /// The limits in force, after clamping.
    public let limits: HTTPLimits
    /// Request-line and field lines, then one scratch line for chunk-size and trailer lines.
    let storage: UnsafeMutableRawBufferPointer
    /// Locations of the stored field lines, `limits.headerFieldCount` of them.
    let fieldLocations: UnsafeMutablePointer<FieldLocation>

    enum State {
        case requestLine
        case fieldLine
        case contentBody(remaining: UInt64)
        case chunkSizeLine
        case chunkData(remaining: UInt64)
        case chunkDataCarriageReturn
        case chunkDataLineFeed
        case trailerLine
        case messageComplete
        case finished
        case failed(HTTPError)
    }

    var state: State = .requestLine
    /// The line being accumulated occupies `storage[lineStart..<lineEnd]`.
    var lineStart = 0
    var lineEnd = 0
    /// Where the scratch line starts once the head is complete.
    var scratchStart = 0
    /// Field lines seen so far in the current section (header or trailer).
    var fieldCount = 0
    /// Field lines stored for the header section, as `HTTPHeaders` shows them.
    var headerFieldCount = 0
    /// Bytes of the current header or trailer section so far, CRLFs included.
    var sectionLength = 0
    /// Content bytes announced by chunk-size lines so far.
    var bodyLength: UInt64 = 0
    /// The most content the current request may have: `limits.contentLimit` unless the
    /// caller lowered it after `.head` (`limitContent(to:)`).
    var contentLimit: UInt64 = 0
    /// What the head said; complete once `.head` is returned.
    var head = RequestHead()

    /// A parser with storage for `limits`. Allocates once; never again.
    public init(limits: HTTPLimits = HTTPLimits()) {
        self.limits = limits.clamped
        contentLimit = UInt64(self.limits.contentLimit)
        storage = UnsafeMutableRawBufferPointer.allocate(byteCount: self.limits.headStorageLength, alignment: 8)
        storage.initializeMemory(as: UInt8.self, repeating: 0)
        let fieldCapacity = Swift.max(self.limits.headerFieldCount, 1)
        fieldLocations = UnsafeMutablePointer<FieldLocation>.allocate(capacity: fieldCapacity)
        fieldLocations.initialize(repeating: FieldLocation(nameStart: 0, nameEnd: 0, valueStart: 0, valueEnd: 0),
                                  count: fieldCapacity)
    }

    deinit {
        storage.deallocate()
        fieldLocations.deallocate()
    }

    /// The method of the current request once its request-line is parsed, until the call
    /// after `.end`.
    public var method: HTTPMethod? { head.method }

    /// Whether bytes of a request have arrived that did not complete it yet. Empty lines
    /// before a request-line do not count (RFC 9112 §2.2 lets a server ignore them).
    public var hasPartialRequest: Bool {
        switch state {
        case .requestLine: return lineEnd > lineStart
        case .finished, .failed: return false
        default: return true
        }
    }

    /// Lowers the current request's content limit after `.head`, for a caller that collects
    /// the content into a smaller buffer: a chunk announcing more is refused before its data.
    public mutating func limitContent(to length: Int) {
        contentLimit = Swift.min(contentLimit, UInt64(Swift.max(length, 0)))
    }

    /// The error the parser stopped at, if any.
    public var failure: HTTPError? {
        if case .failed(let error) = state { return error }
        return nil
    }

    /// Parses as much of `input` as makes one event.
    ///
    /// - Returns: the bytes used and the event; `.needsInput` only once all input is used.
    /// - Throws: the `HTTPError` that makes the request unanswerable except by its status.
    public mutating func parse(_ input: UnsafeRawBufferPointer) throws(HTTPError) -> HTTPParseResult {
        if case .failed(let error) = state { throw error }
        do {
            return try step(input)
        } catch {
            state = .failed(error)
            throw error
        }
    }

    private mutating func step(_ input: UnsafeRawBufferPointer) throws(HTTPError) -> HTTPParseResult {
        var offset = 0
        while true {
            let rest = UnsafeRawBufferPointer(rebasing: input[offset...])
            switch state {
            case .finished:
                startNextRequest()
            case .requestLine:
                let (used, complete) = try accumulateLine(rest, limit: limits.requestLineLength,
                                                          tooLong: .requestLineTooLong)
                offset += used
                guard complete else { return HTTPParseResult(consumed: offset, event: .needsInput) }
                // RFC 9112 §2.2: a server SHOULD ignore at least one empty line before the request-line.
                guard lineEnd > lineStart else { continue }
                try parseRequestLine(line)
                lineStart = lineEnd
                state = .fieldLine
            case .fieldLine:
                let budget = Swift.max(0, limits.headerSectionLength - sectionLength - 2)
                let (used, complete) = try accumulateLine(rest, limit: budget, tooLong: .headerSectionTooLarge)
                offset += used
                guard complete else { return HTTPParseResult(consumed: offset, event: .needsInput) }
                if lineEnd == lineStart {
                    try finishHead()
                    return HTTPParseResult(consumed: offset, event: .head)
                }
                try parseFieldLine(line, storing: true)
                sectionLength += lineEnd - lineStart + 2
                lineStart = lineEnd
            case .contentBody(let remaining):
                guard rest.count > 0 else { return HTTPParseResult(consumed: offset, event: .needsInput) }
                let taken = Self.take(remaining, from: rest)
                state = remaining == UInt64(taken) ? .messageComplete : .contentBody(remaining: remaining - UInt64(taken))
                return HTTPParseResult(consumed: offset + taken,
                                       event: .body(UnsafeRawBufferPointer(rebasing: rest[..<taken])))
            case .chunkSizeLine, .chunkData, .chunkDataCarriageReturn, .chunkDataLineFeed, .trailerLine:
                let (used, event) = try stepChunked(rest)
                offset += used
                if let event { return HTTPParseResult(consumed: offset, event: event) }
            case .messageComplete:
                state = .finished
                return HTTPParseResult(consumed: offset, event: .end)
            case .failed(let error):
                throw error
            }
        }
    }

    /// How many bytes of `rest` belong to content of which `remaining` bytes are missing.
    static func take(_ remaining: UInt64, from rest: UnsafeRawBufferPointer) -> Int {
        remaining < UInt64(rest.count) ? Int(remaining) : rest.count
    }

    /// The line just completed, CRLF excluded.
    var line: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: storage[lineStart..<lineEnd])
    }

    /// Copies `input` into the current line up to and including LF.
    ///
    /// `limit` bounds the line without its CRLF; the CR is stored until the LF confirms it.
    /// - Returns: bytes used, and whether the LF was among them (`line` then holds the line).
    mutating func accumulateLine(_ input: UnsafeRawBufferPointer, limit: Int,
                                 tooLong: HTTPError) throws(HTTPError) -> (Int, Bool) {
        var index = 0
        while index < input.count {
            let byte = input[index]
            index += 1
            if byte == ASCII.lineFeed {
                // RFC 9112 §2.2: CRLF is the line terminator; this parser refuses a bare LF.
                guard lineEnd > lineStart && storage[lineEnd - 1] == ASCII.carriageReturn else {
                    throw .invalidLineEnding
                }
                lineEnd -= 1
                return (index, true)
            }
            guard lineEnd - lineStart <= limit else { throw tooLong }
            storage[lineEnd] = byte
            lineEnd += 1
        }
        return (index, false)
    }

    /// Forgets the previous request; its storage is reused.
    private mutating func startNextRequest() {
        state = .requestLine
        lineStart = 0
        lineEnd = 0
        scratchStart = 0
        fieldCount = 0
        headerFieldCount = 0
        sectionLength = 0
        bodyLength = 0
        contentLimit = UInt64(limits.contentLimit)
        head = RequestHead()
    }
}

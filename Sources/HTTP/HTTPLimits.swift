/// The sizes and deadlines a parser or connection is created with; all buffers derive from them.

/// Limits for one connection. Buffers are allocated once from these numbers when a parser
/// or connection is created; values are clamped to sane ranges so that no offset or sum
/// derived from them can overflow a 32-bit `Int`.
public struct HTTPLimits: Sendable {
    /// Longest request-line, CRLF excluded; a longer one is answered 414 (RFC 9112 §3:
    /// "It is RECOMMENDED that all HTTP senders and recipients support, at a minimum,
    /// request-line lengths of 8000 octets").
    public var requestLineLength: Int = 8192
    /// Most bytes in the field section (each field line with its CRLF); more is answered 431.
    /// Trailer sections of chunked bodies get the same budget.
    public var headerSectionLength: Int = 16384
    /// Most field lines in one request (and in one trailer section); more is answered 431.
    public var headerFieldCount: Int = 100
    /// Most content bytes in one request, however framed; more is answered 413.
    public var maximumBodyLength: Int = 65536
    /// Most content bytes in one request whose handler streams it (`HTTPContentHandling.stream`);
    /// nothing is buffered for it, so it may be far larger. More is answered 413.
    public var maximumStreamedBodyLength: Int = 65536
    /// Longest chunk-size line, chunk extensions included (RFC 9112 §7.1.1 allows a server
    /// to limit extension length); longer is answered 400. Also the longest trailer field
    /// line (longer is answered 431): both share one scratch line after the stored head.
    public var chunkLineLength: Int = 1024
    /// Bytes of response a connection can hold before the transport takes them. A handler's
    /// whole response, except a borrowed body, must fit.
    public var outputBufferLength: Int = 16384
    /// Answer `Expect: 100-continue` with an interim 100 response (RFC 9110 §10.1.1).
    public var sendsContinue: Bool = true

    /// Nanoseconds a persistent connection may sit with no request in progress before it
    /// is closed (RFC 9112 §9.5: a server may close an idle connection at any time).
    public var idleTimeout: UInt64 = 10_000_000_000
    /// Nanoseconds from a request's first byte until its last one has arrived; a client that
    /// trickles a request slower than this (slowloris) gets 408 and the connection closes.
    public var requestTimeout: UInt64 = 20_000_000_000
    /// Nanoseconds pending output may wait without the transport taking any of it before
    /// the connection is abandoned (a client that stops reading).
    public var sendTimeout: UInt64 = 20_000_000_000

    /// The defaults above.
    public init() {}

    /// These limits with every size clamped into the range the implementation supports.
    var clamped: HTTPLimits {
        var limits = self
        limits.requestLineLength = clamp(requestLineLength, 16, 1 << 20)
        limits.headerSectionLength = clamp(headerSectionLength, 0, 1 << 22)
        limits.headerFieldCount = clamp(headerFieldCount, 0, 1 << 16)
        limits.maximumBodyLength = clamp(maximumBodyLength, 0, 1 << 28)
        limits.maximumStreamedBodyLength = clamp(maximumStreamedBodyLength, limits.maximumBodyLength, 1 << 30)
        limits.chunkLineLength = clamp(chunkLineLength, 16, 1 << 16)
        limits.outputBufferLength = clamp(outputBufferLength, 512, 1 << 26)
        return limits
    }

    /// The most content the parser lets through; a collecting connection checks the smaller
    /// `maximumBodyLength` itself.
    var contentLimit: Int { Swift.max(maximumBodyLength, maximumStreamedBodyLength) }

    /// Bytes a parser stores a request head in: the request-line and its CR, the field
    /// section, and a scratch line for chunk-size and trailer lines.
    var headStorageLength: Int {
        requestLineLength + 1 + headerSectionLength + 1 + chunkLineLength + 1
    }
}

private func clamp(_ value: Int, _ lowest: Int, _ highest: Int) -> Int {
    Swift.min(Swift.max(value, lowest), highest)
}

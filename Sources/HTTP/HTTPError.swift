/// The closed set of reasons a request is refused, each mapped to its response status.
///
/// The HTTP module is the transport-agnostic HTTP/1.1 server core (RFC 9110, RFC 9112): an
/// incremental request parser fed arbitrary byte chunks, a response writer into a caller's
/// buffer, a router, and a per-connection state machine with idle and request deadlines.
///
/// No-trap contract: no sequence of received bytes, at any chunking, and no handler
/// behaviour can make the module trap or read or write outside its buffers. Malformed input
/// becomes an `HTTPError` and then an error response; a handler that misuses its
/// `HTTPResponseWriter` (overflow, wrong body length) gets its response replaced by a 500.
/// All buffers are allocated once, when a parser or connection is created, from `HTTPLimits`;
/// handling a request allocates nothing. Arithmetic on lengths from the wire is done in
/// `UInt64` with explicit overflow checks, so the module behaves the same on 32-bit ARM.

/// Why a request was refused. Each case names the RFC rule it enforces; `status` is the
/// response the connection sends before closing.
public enum HTTPError: Error, Equatable, Sendable {
    // 400 Bad Request
    /// A line ended in a bare LF, or a CR was not followed by LF (RFC 9112 §2.2).
    case invalidLineEnding
    /// The request-line is not `method SP request-target SP HTTP-version` (RFC 9112 §3).
    case invalidRequestLine
    /// The method is not a token (RFC 9110 §9.1).
    case invalidMethod
    /// The request-target is none of the four forms, or holds a byte a URI cannot (RFC 9112 §3.2).
    case invalidTarget
    /// The version is not `HTTP/` DIGIT `.` DIGIT (RFC 9112 §2.3).
    case invalidVersion
    /// A field name is empty or not a token, or the colon is missing (RFC 9110 §5.1).
    case invalidFieldName
    /// Whitespace between a field name and its colon (RFC 9112 §5.1: MUST reject with 400).
    case whitespaceBeforeColon
    /// A field line starts with whitespace: obs-fold (RFC 9112 §5.2: MUST reject with 400).
    case obsoleteLineFolding
    /// A field value holds CR, LF, NUL or another control byte (RFC 9110 §5.5).
    case invalidFieldValue
    /// An HTTP/1.1 request without Host (RFC 9112 §3.2: MUST respond 400).
    case missingHost
    /// More than one Host field line (RFC 9112 §3.2: MUST respond 400).
    case duplicateHost
    /// A Host value that is not `uri-host [ ":" port ]` (RFC 9112 §3.2).
    case invalidHost
    /// A Content-Length that is not 1*DIGIT (RFC 9110 §8.6).
    case invalidContentLength
    /// Content-Length values that differ (RFC 9112 §6.3 item 5: unrecoverable framing error).
    case conflictingContentLength
    /// Both Transfer-Encoding and Content-Length (RFC 9112 §6.3 item 3; this server rejects).
    case transferEncodingWithContentLength
    /// Transfer-Encoding in an HTTP/1.0 request (RFC 9112 §6.1: framing is faulty).
    case transferEncodingInHTTP1_0
    /// Transfer-Encoding empty, with chunked twice, or not ending in chunked (RFC 9112 §6.3 item 4).
    case invalidTransferEncoding
    /// A chunk-size line that is not 1*HEXDIG [ chunk-ext ] (RFC 9112 §7.1).
    case invalidChunkSize
    /// A chunk-size that does not fit in 64 bits (RFC 9112 §7.1: guard against overflow).
    case chunkSizeOverflow
    /// A chunk-size line longer than `HTTPLimits.chunkLineLength`, extensions included.
    case chunkLineTooLong
    /// Chunk data not followed by CRLF (RFC 9112 §7.1).
    case invalidChunkTerminator

    /// 408: the request did not arrive within `HTTPLimits.requestTimeout` (RFC 9110 §15.5.9).
    case requestTimeout
    /// 413: the content is longer than `HTTPLimits.maximumBodyLength` (RFC 9110 §15.5.14).
    case contentTooLarge
    /// 414: the request-line is longer than `HTTPLimits.requestLineLength` (RFC 9112 §3).
    case requestLineTooLong
    /// 417: an Expect value other than 100-continue (RFC 9110 §10.1.1).
    case unsupportedExpectation
    /// 431: the field section is longer than `HTTPLimits.headerSectionLength` (RFC 6585 §5).
    case headerSectionTooLarge
    /// 431: more field lines than `HTTPLimits.headerFieldCount` (RFC 6585 §5).
    case tooManyHeaderFields
    /// 501: a method this server does not implement (RFC 9110 §9.1).
    case unsupportedMethod
    /// 501: a transfer coding other than chunked (RFC 9112 §6.1).
    case unsupportedTransferCoding
    /// 505: a major version other than 1 (RFC 9110 §15.6.6).
    case unsupportedVersion

    /// The response status this error is answered with.
    public var status: HTTPStatus {
        switch self {
        case .requestTimeout: return .requestTimeout
        case .contentTooLarge: return .contentTooLarge
        case .requestLineTooLong: return .uriTooLong
        case .unsupportedExpectation: return .expectationFailed
        case .headerSectionTooLarge, .tooManyHeaderFields: return .requestHeaderFieldsTooLarge
        case .unsupportedMethod, .unsupportedTransferCoding: return .notImplemented
        case .unsupportedVersion: return .httpVersionNotSupported
        default: return .badRequest
        }
    }
}

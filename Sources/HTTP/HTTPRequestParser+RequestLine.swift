/// Request-line parsing: method, request-target in its four forms, and version (RFC 9112 §3).

/// How the content of a request is delimited (RFC 9112 §6.3).
enum BodyFraming {
    case none
    case length(UInt64)
    case chunked
}

/// What the parser has learnt about the current request; offsets are into its storage.
struct RequestHead {
    var method: HTTPMethod? = nil
    var version: HTTPVersion = .http1_1
    var target = 0..<0
    var path = 0..<0
    /// An absolute-form target with an empty path means "/" (RFC 9112 §3.2.2).
    var pathIsImplicitRoot = false
    var query: Range<Int>? = nil
    /// The authority of an absolute-form target.
    var authority: Range<Int>? = nil
    var host: Range<Int>? = nil
    var hostCount = 0
    var contentLength: UInt64? = nil
    var hasTransferEncoding = false
    var chunkedCount = 0
    var chunkedIsLast = false
    var hasUnsupportedCoding = false
    var closeRequested = false
    var keepAliveRequested = false
    var expectsContinue = false
    var keepAlive = false
    var framing = BodyFraming.none
}

extension HTTPRequestParser {
    /// Parses `method SP request-target SP HTTP-version` (RFC 9112 §3). Syntax errors come
    /// first (400), then the version (505), then the method (501).
    mutating func parseRequestLine(_ line: UnsafeRawBufferPointer) throws(HTTPError) {
        // RFC 9112 §3: the elements are separated by exactly one SP each.
        guard let firstSpace = ASCII.firstIndex(of: ASCII.space, in: line),
              let secondSpace = ASCII.firstIndex(of: ASCII.space, in: line, from: firstSpace + 1),
              firstSpace > 0, secondSpace > firstSpace + 1,
              ASCII.firstIndex(of: ASCII.space, in: line, from: secondSpace + 1) == nil
        else { throw .invalidRequestLine }

        let methodToken = UnsafeRawBufferPointer(rebasing: line[..<firstSpace])
        for byte in methodToken where !ASCII.isTokenCharacter(byte) {
            throw .invalidMethod
        }
        try parseTarget(from: lineStart + firstSpace + 1, to: lineStart + secondSpace)
        head.version = try Self.parseVersion(UnsafeRawBufferPointer(rebasing: line[(secondSpace + 1)...]))
        guard let method = HTTPMethod(token: methodToken) else { throw .unsupportedMethod }
        head.method = method
        if head.path.count == 1 && storage[head.path.lowerBound] == 0x2a && method != .options {
            // RFC 9112 §3.2.4: the asterisk-form is only used with OPTIONS.
            throw .invalidTarget
        }
    }

    /// HTTP-version = "HTTP/" DIGIT "." DIGIT, case-sensitive (RFC 9112 §2.3).
    static func parseVersion(_ bytes: UnsafeRawBufferPointer) throws(HTTPError) -> HTTPVersion {
        guard bytes.count == 8, ASCII.equals(UnsafeRawBufferPointer(rebasing: bytes[..<5]), "HTTP/"),
              ASCII.isDigit(bytes[5]), bytes[6] == 0x2e, ASCII.isDigit(bytes[7])
        else { throw .invalidVersion }
        guard bytes[5] == 0x31 else { throw .unsupportedVersion }
        return bytes[7] == 0x30 ? .http1_0 : .http1_1
    }

    /// Classifies and checks the request-target in `storage[start..<end]` (RFC 9112 §3.2).
    mutating func parseTarget(from start: Int, to end: Int) throws(HTTPError) {
        let target = UnsafeRawBufferPointer(rebasing: storage[start..<end])
        head.target = start..<end
        if target[0] == ASCII.slash {
            // origin-form = absolute-path [ "?" query ]
            try parsePathAndQuery(from: start, to: end)
        } else if target.count == 1 && target[0] == 0x2a {
            // asterisk-form; OPTIONS is checked once the method is known.
            head.path = start..<end
        } else if let schemeLength = Self.httpSchemeLength(target) {
            // absolute-form = absolute-URI (RFC 9112 §3.2.2: a server MUST accept it).
            let authorityStart = start + schemeLength
            var authorityEnd = authorityStart
            while authorityEnd < end && storage[authorityEnd] != ASCII.slash && storage[authorityEnd] != ASCII.questionMark {
                authorityEnd += 1
            }
            let authority = UnsafeRawBufferPointer(rebasing: storage[authorityStart..<authorityEnd])
            // RFC 9110 §4.2.1: an "http" URI with an empty host is invalid.
            guard authority.count > 0, authority[0] != ASCII.colon, Self.isValidAuthority(authority) else {
                throw .invalidTarget
            }
            head.authority = authorityStart..<authorityEnd
            if authorityEnd == end || storage[authorityEnd] == ASCII.questionMark {
                head.pathIsImplicitRoot = true
            }
            try parsePathAndQuery(from: authorityEnd, to: end)
        } else {
            // authority-form belongs to CONNECT, which is not implemented; nothing else is valid.
            throw .invalidTarget
        }
    }

    /// Splits `storage[start..<end]` into path and query, checking every byte is a URI
    /// character: pchar, "/", "?", and well-formed pct-encoded triplets (RFC 3986 §3.3, §3.4).
    mutating func parsePathAndQuery(from start: Int, to end: Int) throws(HTTPError) {
        var queryStart: Int? = nil
        var index = start
        while index < end {
            let byte = storage[index]
            if byte == ASCII.percent {
                guard index + 2 < end, ASCII.hexadecimalValue(storage[index + 1]) != nil,
                      ASCII.hexadecimalValue(storage[index + 2]) != nil
                else { throw .invalidTarget }
                index += 3
                continue
            }
            if byte == ASCII.questionMark {
                if queryStart == nil { queryStart = index }
            } else if byte != ASCII.slash && !ASCII.isPathCharacter(byte) {
                throw .invalidTarget
            }
            index += 1
        }
        head.path = start..<(queryStart ?? end)
        if let queryStart { head.query = (queryStart + 1)..<end }
    }

    /// The length of a leading "http://" or "https://" (scheme is case-insensitive,
    /// RFC 3986 §3.1), or nil.
    static func httpSchemeLength(_ target: UnsafeRawBufferPointer) -> Int? {
        if target.count > 7 && ASCII.equalsIgnoringCase(UnsafeRawBufferPointer(rebasing: target[..<7]), "http://") {
            return 7
        }
        if target.count > 8 && ASCII.equalsIgnoringCase(UnsafeRawBufferPointer(rebasing: target[..<8]), "https://") {
            return 8
        }
        return nil
    }

    /// uri-host [ ":" port ]: reg-name or IP-literal characters, no userinfo (RFC 9110 §4.2.4:
    /// a recipient SHOULD treat userinfo in an "http" URI as an error).
    static func isValidAuthority(_ authority: UnsafeRawBufferPointer) -> Bool {
        var index = 0
        while index < authority.count {
            let byte = authority[index]
            if byte == ASCII.percent {
                guard index + 2 < authority.count, ASCII.hexadecimalValue(authority[index + 1]) != nil,
                      ASCII.hexadecimalValue(authority[index + 2]) != nil
                else { return false }
                index += 3
                continue
            }
            guard byte != 0x40 && (ASCII.isPathCharacter(byte) || byte == 0x5b || byte == 0x5d) else { return false }
            index += 1
        }
        return true
    }
}

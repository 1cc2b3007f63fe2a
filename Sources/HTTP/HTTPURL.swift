/// An `http://HOST[:PORT]/PATH` URL split into its parts, as the `get` app and other clients need it (RFC 9110 §4.2.1).

public enum HTTPURLError: Error, Equatable, Sendable {
    case notHTTP
    case emptyHost
    case badPort
    case badCharacter
}

public struct HTTPURL {
    /// The host as written: a name for DNS or a dotted quad. A slice of the parsed bytes.
    public let host: UnsafeRawBufferPointer
    public let port: UInt16
    /// The request target: the path and query, "/" when the URL has none.
    public let target: UnsafeRawBufferPointer

    /// Parses `http://` URLs; `https`, user info and fragments are not supported. The parts are
    /// slices of `text`, which must outlive this value.
    public init(parsing text: UnsafeRawBufferPointer) throws(HTTPURLError) {
        let scheme: StaticString = "http://"
        guard text.count >= scheme.utf8CodeUnitCount,
              ASCII.equalsIgnoringCase(UnsafeRawBufferPointer(rebasing: text[0..<scheme.utf8CodeUnitCount]), scheme)
        else { throw .notHTTP }
        var index = scheme.utf8CodeUnitCount
        let hostStart = index
        while index < text.count, text[index] != ASCII.colon, text[index] != ASCII.slash {
            let byte = text[index]
            // RFC 3986 §3.2.2 reg-name: unreserved characters; no '@' (user info) or '%'.
            guard ASCII.isTokenCharacter(byte), byte != 0x40, byte != ASCII.percent else { throw .badCharacter }
            index += 1
        }
        guard index > hostStart else { throw .emptyHost }
        host = UnsafeRawBufferPointer(rebasing: text[hostStart..<index])
        var port: UInt32 = 80
        if index < text.count, text[index] == ASCII.colon {
            index += 1
            port = 0
            let digitsStart = index
            while index < text.count, ASCII.isDigit(text[index]) {
                port = port * 10 + UInt32(text[index] - 0x30)
                guard port <= 65535 else { throw .badPort }
                index += 1
            }
            guard index > digitsStart, port > 0 else { throw .badPort }
        }
        self.port = UInt16(port)
        let targetStart = index
        while index < text.count {
            guard text[index] > 0x20, text[index] < 0x7f, text[index] != 0x23 else { throw .badCharacter } // no '#'
            index += 1
        }
        target = targetStart < text.count
            ? UnsafeRawBufferPointer(rebasing: text[targetStart..<text.count])
            : UnsafeRawBufferPointer(start: scheme.utf8Start + scheme.utf8CodeUnitCount - 1, count: 1) // "/"
    }
}

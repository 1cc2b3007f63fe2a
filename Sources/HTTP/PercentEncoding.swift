/// Percent-encoding of path segments and query values (RFC 3986 §2.1), both directions.

public enum PercentEncoding {
    /// `bytes` with every `%XX` replaced by its octet; nil for a malformed escape or one that
    /// decodes to NUL (which no file or key name may hold). `+` is kept as it is: paths and
    /// this server's queries are not HTML form encoding.
    public static func decode(_ bytes: UnsafeRawBufferPointer) -> [UInt8]? {
        var decoded: [UInt8] = []
        decoded.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            guard byte == UInt8(ascii: "%") else {
                decoded.append(byte)
                index += 1
                continue
            }
            guard index + 2 < bytes.count, let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2])
            else { return nil }
            let octet = high << 4 | low
            guard octet != 0 else { return nil }
            decoded.append(octet)
            index += 3
        }
        return decoded
    }

    /// Appends `bytes` to `output` with everything but RFC 3986 unreserved characters (and
    /// `/` when `keepingSlashes`) escaped as `%XX`.
    public static func encode(_ bytes: [UInt8], keepingSlashes: Bool, into output: inout [UInt8]) {
        let digits: StaticString = "0123456789ABCDEF"
        for byte in bytes {
            if isUnreserved(byte) || (keepingSlashes && byte == UInt8(ascii: "/")) {
                output.append(byte)
            } else {
                output.append(UInt8(ascii: "%"))
                output.append(digits.utf8Start[Int(byte >> 4)])
                output.append(digits.utf8Start[Int(byte & 0xF)])
            }
        }
    }

    /// The decoded value of the first `name=value` pair in a query (`a=1&b=2`), "" for a bare
    /// `name`, nil when the query has no such pair or its value is malformed.
    public static func queryValue(_ name: StaticString, in query: UnsafeRawBufferPointer) -> [UInt8]? {
        var start = 0
        while start <= query.count {
            var end = start
            while end < query.count && query[end] != UInt8(ascii: "&") { end += 1 }
            let pair = UnsafeRawBufferPointer(rebasing: query[start..<end])
            var equals = 0
            while equals < pair.count && pair[equals] != UInt8(ascii: "=") { equals += 1 }
            if ASCII.equals(UnsafeRawBufferPointer(rebasing: pair[..<equals]), name) {
                return equals < pair.count ? decode(UnsafeRawBufferPointer(rebasing: pair[(equals + 1)...])) : []
            }
            start = end + 1
        }
        return nil
    }

    /// RFC 3986 §2.3: ALPHA / DIGIT / "-" / "." / "_" / "~".
    static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
             UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}

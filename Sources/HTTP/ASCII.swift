/// Byte classes and comparisons of the HTTP grammar (RFC 9110 §5.6), without `String`.

/// The character classes HTTP is defined over, and helpers on byte slices.
enum ASCII {
    static let space: UInt8 = 0x20
    static let tab: UInt8 = 0x09
    static let carriageReturn: UInt8 = 0x0d
    static let lineFeed: UInt8 = 0x0a
    static let colon: UInt8 = 0x3a
    static let comma: UInt8 = 0x2c
    static let semicolon: UInt8 = 0x3b
    static let slash: UInt8 = 0x2f
    static let questionMark: UInt8 = 0x3f
    static let percent: UInt8 = 0x25

    /// tchar (RFC 9110 §5.6.2): "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." /
    /// "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA.
    static func isTokenCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x30...0x39, 0x41...0x5a, 0x61...0x7a: return true
        case 0x21, 0x23, 0x24, 0x25, 0x26, 0x27, 0x2a, 0x2b, 0x2d, 0x2e, 0x5e, 0x5f, 0x60, 0x7c, 0x7e: return true
        default: return false
        }
    }

    /// OWS members: SP and HTAB (RFC 9110 §5.6.3).
    static func isWhitespace(_ byte: UInt8) -> Bool { byte == space || byte == tab }

    /// field-vchar, SP or HTAB (RFC 9110 §5.5): VCHAR, obs-text, but no control bytes.
    static func isFieldValueCharacter(_ byte: UInt8) -> Bool {
        byte == tab || (byte >= 0x20 && byte != 0x7f)
    }

    /// DIGIT (RFC 5234 appendix B.1).
    static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    /// The value of HEXDIG, either case, or nil.
    static func hexadecimalValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: return byte - 0x30
        case 0x41...0x46: return byte - 0x41 + 10
        case 0x61...0x66: return byte - 0x61 + 10
        default: return nil
        }
    }

    /// unreserved / sub-delims / ":" / "@" (RFC 3986 §3.3 pchar, less pct-encoded).
    static func isPathCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x30...0x39, 0x41...0x5a, 0x61...0x7a: return true
        case 0x2d, 0x2e, 0x5f, 0x7e: return true                                   // - . _ ~
        case 0x21, 0x24, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x2b, 0x2c, 0x3b, 0x3d: return true  // sub-delims
        case 0x3a, 0x40: return true                                               // : @
        default: return false
        }
    }

    /// ASCII lowercase of `byte`; other bytes unchanged.
    static func lowercased(_ byte: UInt8) -> UInt8 {
        byte >= 0x41 && byte <= 0x5a ? byte | 0x20 : byte
    }

    /// Whether `bytes` spells `text` exactly.
    static func equals(_ bytes: UnsafeRawBufferPointer, _ text: StaticString) -> Bool {
        guard bytes.count == text.utf8CodeUnitCount else { return false }
        let start = text.utf8Start
        for index in 0..<bytes.count where bytes[index] != start[index] {
            return false
        }
        return true
    }

    /// Whether `bytes` spells `text` ignoring ASCII case (field names, codings: RFC 9110 §5.1).
    static func equalsIgnoringCase(_ bytes: UnsafeRawBufferPointer, _ text: StaticString) -> Bool {
        guard bytes.count == text.utf8CodeUnitCount else { return false }
        let start = text.utf8Start
        for index in 0..<bytes.count where lowercased(bytes[index]) != lowercased(start[index]) {
            return false
        }
        return true
    }

    /// Whether `bytes` starts with `prefix` exactly.
    static func hasPrefix(_ bytes: UnsafeRawBufferPointer, _ prefix: UnsafeRawBufferPointer) -> Bool {
        guard bytes.count >= prefix.count else { return false }
        for index in 0..<prefix.count where bytes[index] != prefix[index] {
            return false
        }
        return true
    }

    /// `bytes` without leading and trailing OWS.
    static func trimmingWhitespace(_ bytes: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        var start = 0
        var end = bytes.count
        while start < end && isWhitespace(bytes[start]) { start += 1 }
        while end > start && isWhitespace(bytes[end - 1]) { end -= 1 }
        return UnsafeRawBufferPointer(rebasing: bytes[start..<end])
    }

    /// Calls `body` with each element of a comma-separated list (RFC 9110 §5.6.1), OWS
    /// trimmed; empty elements are skipped, as the RFC asks recipients to do.
    static func forEachListElement<Failure: Error>(
        _ bytes: UnsafeRawBufferPointer,
        _ body: (UnsafeRawBufferPointer) throws(Failure) -> Void
    ) throws(Failure) {
        var start = 0
        for index in 0...bytes.count where index == bytes.count || bytes[index] == comma {
            let element = trimmingWhitespace(UnsafeRawBufferPointer(rebasing: bytes[start..<index]))
            if element.count > 0 {
                try body(element)
            }
            start = index + 1
        }
    }

    /// The index of the first `byte` in `bytes` at or after `start`, or nil.
    static func firstIndex(of byte: UInt8, in bytes: UnsafeRawBufferPointer, from start: Int = 0) -> Int? {
        var index = start
        while index < bytes.count {
            if bytes[index] == byte { return index }
            index += 1
        }
        return nil
    }
}

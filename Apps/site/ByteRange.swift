/// The one byte range of a `Range: bytes=…` request field (RFC 9110 §14.1.2), resolved against a length.

enum ByteRange {
    /// What a Range field asks of a representation of `length` bytes.
    enum Resolution: Equatable {
        /// Serve the whole representation: no Range, a form this server ignores (several
        /// ranges, another unit), or a malformed one (RFC 9110 §14.2: a server MAY ignore it).
        case whole
        /// Serve bytes `first...last` with 206.
        case part(first: UInt64, last: UInt64)
        /// 416: no byte of the range exists (RFC 9110 §15.5.17).
        case unsatisfiable
    }

    static func resolve(_ field: UnsafeRawBufferPointer?, length: UInt64) -> Resolution {
        guard let field else { return .whole }
        let unit: StaticString = "bytes="
        guard field.count > unit.utf8CodeUnitCount else { return .whole }
        for index in 0..<unit.utf8CodeUnitCount where field[index] != unit.utf8Start[index] { return .whole }
        let spec = UnsafeRawBufferPointer(rebasing: field[unit.utf8CodeUnitCount...])
        guard !spec.contains(UInt8(ascii: ",")), let dash = spec.firstIndex(of: UInt8(ascii: "-")) else { return .whole }
        let firstText = UnsafeRawBufferPointer(rebasing: spec[..<dash])
        let lastText = UnsafeRawBufferPointer(rebasing: spec[(dash + 1)...])
        if firstText.isEmpty {
            // suffix-range: the last N bytes.
            guard let suffix = decimal(lastText) else { return .whole }
            guard suffix > 0, length > 0 else { return .unsatisfiable }
            return .part(first: length - Swift.min(suffix, length), last: length - 1)
        }
        guard let first = decimal(firstText) else { return .whole }
        var last = length == 0 ? 0 : length - 1
        if !lastText.isEmpty {
            guard let requested = decimal(lastText), requested >= first else { return .whole }
            last = Swift.min(requested, last)
        }
        guard first < length else { return .unsatisfiable }
        return .part(first: first, last: last)
    }

    /// Digits only, at most 18 of them (no overflow); nil otherwise.
    private static func decimal(_ text: UnsafeRawBufferPointer) -> UInt64? {
        guard !text.isEmpty, text.count <= 18 else { return nil }
        var value: UInt64 = 0
        for byte in text {
            guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + UInt64(byte - UInt8(ascii: "0"))
        }
        return value
    }
}

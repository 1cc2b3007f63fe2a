/// Byte-level path helpers for the www app: comparing request paths, reading `/bytes/<n>`.

/// One file of the compiled-in site: where its bytes lie in `Site.bytes`, and its media type.
struct SiteFile {
    let offset: Int
    let length: Int
    let contentType: StaticString
}

enum SitePath {
    /// Whether `path` is exactly `text` (paths are compared byte for byte, RFC 3986 §6.2.1).
    static func equals(_ path: UnsafeRawBufferPointer, _ text: StaticString) -> Bool {
        guard path.count == text.utf8CodeUnitCount else { return false }
        for index in 0..<path.count where path[index] != text.utf8Start[index] { return false }
        return true
    }

    /// Whether `path` starts with `text`.
    static func hasPrefix(_ path: UnsafeRawBufferPointer, _ text: StaticString) -> Bool {
        guard path.count >= text.utf8CodeUnitCount else { return false }
        for index in 0..<text.utf8CodeUnitCount where path[index] != text.utf8Start[index] { return false }
        return true
    }

    /// The decimal number filling `path` after its first `offset` bytes, or nil when that
    /// is empty, holds anything but digits, or exceeds `limit`.
    static func decimal(_ path: UnsafeRawBufferPointer, after offset: Int, limit: Int) -> Int? {
        guard path.count > offset else { return nil }
        var value = 0
        for index in offset..<path.count {
            let byte = path[index]
            guard byte >= 0x30 && byte <= 0x39 else { return nil }
            value = value * 10 + Int(byte - 0x30)
            guard value <= limit else { return nil }
        }
        return value
    }
}

/// The `Content-Type` of a file, from its extension (case-insensitive).

enum ContentType {
    /// The media type for `name` (a path or a file name); `application/octet-stream` when the
    /// extension is unknown or missing.
    static func of(_ name: [UInt8]) -> StaticString {
        var dot = name.count
        while dot > 0 && name[dot - 1] != UInt8(ascii: ".") && name[dot - 1] != UInt8(ascii: "/") { dot -= 1 }
        guard dot > 0, name[dot - 1] == UInt8(ascii: "."), dot < name.count, name.count - dot <= 5 else {
            return "application/octet-stream"
        }
        var key: UInt64 = 0
        for byte in name[dot...] {
            let lower = byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte
            key = key << 8 | UInt64(lower)
        }
        switch key {
        case pack("html"), pack("htm"): return "text/html; charset=utf-8"
        case pack("css"): return "text/css; charset=utf-8"
        case pack("js"), pack("mjs"): return "text/javascript; charset=utf-8"
        case pack("json"): return "application/json"
        case pack("txt"), pack("md"): return "text/plain; charset=utf-8"
        case pack("xml"): return "application/xml"
        case pack("svg"): return "image/svg+xml"
        case pack("png"): return "image/png"
        case pack("jpg"), pack("jpeg"): return "image/jpeg"
        case pack("gif"): return "image/gif"
        case pack("webp"): return "image/webp"
        case pack("ico"): return "image/x-icon"
        case pack("pdf"): return "application/pdf"
        case pack("wasm"): return "application/wasm"
        case pack("woff2"): return "font/woff2"
        case pack("mp4"): return "video/mp4"
        case pack("zip"): return "application/zip"
        default: return "application/octet-stream"
        }
    }

    /// Up to five ASCII letters in one integer, first letter highest, as `of` builds its key.
    private static func pack(_ text: StaticString) -> UInt64 {
        var key: UInt64 = 0
        for index in 0..<text.utf8CodeUnitCount { key = key << 8 | UInt64(text.utf8Start[index]) }
        return key
    }
}

/// The content the www app streams: a file of the compiled-in site, or the `/bytes/<n>` pattern.
import WebServer

enum SiteBody: HTTPBodySource {
    /// `Site.bytes` from `offset` on.
    case file(offset: Int)
    /// Byte i is i mod 251: a prime period, so a shifted or repeated chunk is caught.
    case pattern

    mutating func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) {
        switch self {
        case .file(let start):
            let first = start + offset
            Site.bytes.withUnsafeBytes { bytes in
                buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[first..<first + buffer.count]))
            }
        case .pattern:
            var value = UInt8(truncatingIfNeeded: offset % 251)
            for index in 0..<buffer.count {
                buffer[index] = value
                value = value == 250 ? 0 : value + 1
            }
        }
    }
}

/// The content the www app streams: a file of the compiled-in site, or the `/bytes/<n>` pattern.
import WebServer

enum SiteBody: HTTPBodySource {
    /// `Site.bytes` from `offset` on.
    case file(offset: Int)
    /// Byte i is i mod 251: a prime period, so a shifted or repeated chunk is caught.
    case pattern

    mutating func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) -> Bool {
        switch self {
        case .file(let start):
            let first = start + offset
            Site.bytes.withUnsafeBytes { bytes in
                buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[first..<first + buffer.count]))
            }
        case .pattern:
            // Copied from a table holding the period plus a run, so each step is one memcpy.
            var done = 0
            SiteBody.patternTable.withUnsafeBytes { table in
                while done < buffer.count {
                    let start = (offset + done) % 251
                    let count = Swift.min(buffer.count - done, SiteBody.patternRun)
                    UnsafeMutableRawBufferPointer(rebasing: buffer[done..<done + count])
                        .copyMemory(from: UnsafeRawBufferPointer(rebasing: table[start..<start + count]))
                    done += count
                }
            }
        }
        return true
    }

    /// Bytes copied per step from `patternTable`.
    static var patternRun: Int { 4096 }

    /// i mod 251 for i in 0 ..< 251 + patternRun: any run of `patternRun` bytes starts in it.
    static let patternTable: [UInt8] = (0..<(251 + 4096)).map { UInt8(truncatingIfNeeded: $0 % 251) }
}

/// What `kv` streams: a value read from the store, or a generated listing.
import WebServer

struct ValueBody: HTTPBodySource {
    let bytes: [UInt8]

    mutating func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) -> Bool {
        guard offset <= bytes.count, buffer.count <= bytes.count - offset else { return false }
        bytes.withUnsafeBytes { source in
            buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[offset..<offset + buffer.count]))
        }
        return true
    }
}

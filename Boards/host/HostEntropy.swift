/// Host entropy: the kernel's CSPRNG through getentropy(3) (glibc's wrapper of getrandom(2)).
import Capabilities
import Glibc

struct HostEntropy: Entropy {
    mutating func next() -> UInt64 {
        var value: UInt64 = 0
        withUnsafeMutableBytes(of: &value) { fill($0) }
        return value
    }

    mutating func fill(_ buffer: UnsafeMutableRawBufferPointer) {
        var offset = 0
        while offset < buffer.count {
            let count = min(buffer.count - offset, 256)  // getentropy's per-call limit
            if getentropy(buffer.baseAddress! + offset, count) != 0 {
                fatalError("host: getentropy failed")
            }
            offset += count
        }
    }
}

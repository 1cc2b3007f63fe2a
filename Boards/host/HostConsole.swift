/// The host console: bytes out to standard output with write(2); no input (the loop does not wait on stdin).
import Capabilities
import Glibc

struct HostConsole: Console {
    mutating func write(_ bytes: UnsafeRawBufferPointer) {
        guard var next = bytes.baseAddress else { return }
        var remaining = bytes.count
        while remaining > 0 {
            let written = Glibc.write(STDOUT_FILENO, next, remaining)
            if written < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                return
            }
            next += written
            remaining -= written
        }
    }

    mutating func read() -> UInt8? { nil }
}

extension HostConsole {
    /// Board messages may use `String`: the host board is ordinary Swift.
    mutating func write(string: String) {
        var text = string
        text.withUTF8 { write(UnsafeRawBufferPointer($0)) }
    }
}

/// The content of `POST /echo` requests too large for a connection's buffer, held per connection.
import WebServer

/// One buffer per connection, allocated to the announced Content-Length when the head arrives
/// and kept until the echo has been sent (the connection reads its next request only then) or
/// the connection ends. The total stays within a budget, so a flood of large echoes gets 413
/// instead of exhausting the heap.
struct EchoUploads {
    /// A buffer and how much of it has arrived.
    private struct Echo {
        let buffer: UnsafeMutableRawBufferPointer
        var filled = 0
    }

    private var echoes: ConnectionTable<Echo>
    private var allocated = 0
    let budget: Int

    init(connections: Int, budget: Int) {
        echoes = ConnectionTable(connections: connections)
        self.budget = budget
    }

    /// Makes room for `length` bytes on `connection`, freeing what it held. False when the
    /// budget does not allow it.
    mutating func start(connection: Int, length: Int) -> Bool {
        release(connection: connection)
        guard length > 0, length <= budget - allocated else { return false }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: length, alignment: 16)
        echoes[connection] = Echo(buffer: buffer)
        guard echoes[connection] != nil else {
            // Not a connection of this table: nothing may hold the buffer.
            buffer.deallocate()
            return false
        }
        allocated += length
        return true
    }

    /// Appends received content; the parser never passes more than the announced length.
    mutating func append(_ bytes: UnsafeRawBufferPointer, connection: Int) {
        guard let echo = echoes[connection], bytes.count <= echo.buffer.count - echo.filled,
              let source = bytes.baseAddress, let destination = echo.buffer.baseAddress else { return }
        (destination + echo.filled).copyMemory(from: source, byteCount: bytes.count)
        echoes[connection]?.filled += bytes.count
    }

    /// The content received on `connection`; valid until the next `start` or `release` for it.
    func content(connection: Int) -> UnsafeRawBufferPointer? {
        guard let echo = echoes[connection] else { return nil }
        return UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(echo.buffer)[..<echo.filled])
    }

    mutating func release(connection: Int) {
        guard let echo = echoes[connection] else { return }
        allocated -= echo.buffer.count
        echo.buffer.deallocate()
        echoes[connection] = nil
    }
}

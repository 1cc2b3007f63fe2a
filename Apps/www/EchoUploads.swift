/// The content of `POST /echo` requests too large for a connection's buffer, held per connection.

/// One buffer per connection, allocated to the announced Content-Length when the head arrives
/// and kept until the echo has been sent (the connection reads its next request only then) or
/// the connection ends. The total stays within a budget, so a flood of large echoes gets 413
/// instead of exhausting the heap.
struct EchoUploads {
    /// The buffers, indexed by `HTTPRequest.connection`.
    private var buffers: [UnsafeMutableRawBufferPointer?]
    private var filled: [Int]
    private var allocated = 0
    let budget: Int

    init(connections: Int, budget: Int) {
        buffers = [UnsafeMutableRawBufferPointer?](repeating: nil, count: connections)
        filled = [Int](repeating: 0, count: connections)
        self.budget = budget
    }

    /// Makes room for `length` bytes on `connection`, freeing what it held. False when the
    /// budget does not allow it.
    mutating func start(connection: Int, length: Int) -> Bool {
        guard connection >= 0 && connection < buffers.count else { return false }
        release(connection: connection)
        guard length > 0, length <= budget - allocated else { return false }
        buffers[connection] = .allocate(byteCount: length, alignment: 16)
        allocated += length
        return true
    }

    /// Appends received content; the parser never passes more than the announced length.
    mutating func append(_ bytes: UnsafeRawBufferPointer, connection: Int) {
        guard connection >= 0 && connection < buffers.count, let buffer = buffers[connection],
              bytes.count <= buffer.count - filled[connection], let source = bytes.baseAddress,
              let destination = buffer.baseAddress else { return }
        (destination + filled[connection]).copyMemory(from: source, byteCount: bytes.count)
        filled[connection] += bytes.count
    }

    /// The content received on `connection`; valid until the next `start` or `release` for it.
    func content(connection: Int) -> UnsafeRawBufferPointer? {
        guard connection >= 0 && connection < buffers.count, let buffer = buffers[connection] else { return nil }
        return UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(buffer)[..<filled[connection]])
    }

    mutating func release(connection: Int) {
        guard connection >= 0 && connection < buffers.count, let buffer = buffers[connection] else { return }
        allocated -= buffer.count
        buffer.deallocate()
        buffers[connection] = nil
        filled[connection] = 0
    }
}

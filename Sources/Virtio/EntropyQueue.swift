/// virtio-rng's one request queue (§5.4): device-writable pool buffers the device fills with random bytes, read in place.
public struct EntropyQueue<Barrier: MemoryBarrier> {
    public private(set) var queue: SplitVirtqueue<Barrier>
    public let bufferSize: Int
    public let bufferCount: Int
    private let pool: UnsafeMutableRawPointer
    /// The returned buffer being read: its token, the next byte, the end of what the device wrote.
    private var current: UInt16 = 0
    private var position = 0
    private var end = 0
    /// Bytes handed out.
    public private(set) var bytesTaken = 0

    /// Allocates the pool and offers every buffer; `start()` publishes them.
    public init(queue: SplitVirtqueue<Barrier>, bufferCount: Int, bufferSize: Int) {
        self.queue = queue
        self.bufferCount = max(1, min(bufferCount, queue.layout.size))
        self.bufferSize = max(1, bufferSize)
        pool = .allocate(byteCount: self.bufferCount * self.bufferSize, alignment: 64)
        pool.initializeMemory(as: UInt8.self, repeating: 0, count: self.bufferCount * self.bufferSize)
        for index in 0..<self.bufferCount { offer(index) }
    }

    /// Publishes the offered buffers; true when the device wants a notification.
    public mutating func start() -> Bool { queue.publish() }

    /// Whether the device has returned a buffer not yet read.
    public var hasBytes: Bool { position < end || queue.hasUsed }

    /// Copies up to `buffer.count` random bytes the device has already delivered into
    /// `buffer`, without waiting, re-offering each buffer once read. Returns the count and
    /// whether the queue needs a notification.
    public mutating func take(into buffer: UnsafeMutableRawBufferPointer) -> (count: Int, notify: Bool) {
        var count = 0
        var offered = false
        while count < buffer.count {
            if position == end {
                guard let used = queue.takeUsed() else { break }
                guard let length = used.length, length > 0 else {
                    // Empty, or a length the queue refused to trust: give it straight back.
                    offer(Int(used.token))
                    offered = true
                    continue
                }
                current = used.token
                position = 0
                end = length
            }
            let source = pool + Int(current) * bufferSize
            while count < buffer.count && position < end {
                buffer[count] = source.load(fromByteOffset: position, as: UInt8.self)
                // Each byte is used once: wipe it before the buffer goes back.
                source.storeBytes(of: 0, toByteOffset: position, as: UInt8.self)
                count += 1
                position += 1
            }
            if position == end {
                offer(Int(current))
                offered = true
            }
        }
        bytesTaken += count
        return (count, offered ? queue.publish() : false)
    }

    private mutating func offer(_ index: Int) {
        _ = queue.offer(BufferSegment(pool + index * bufferSize, length: bufferSize, isDeviceWritable: true),
                        token: UInt16(truncatingIfNeeded: index))
    }
}

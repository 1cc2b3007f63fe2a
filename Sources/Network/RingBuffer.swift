/// A fixed-capacity byte ring, allocated once: TCP send and receive buffers, UDP queues.

struct RingBuffer {
    private var storage: [UInt8]
    private var head = 0
    /// Bytes readable from the head.
    private(set) var count = 0

    init(capacity: Int) { storage = [UInt8](repeating: 0, count: max(capacity, 1)) }

    private init() { storage = [] }

    /// A storage-less stand-in, only for swapping a real buffer out; never read or written.
    static var placeholder: RingBuffer { RingBuffer() }

    var capacity: Int { storage.count }
    var free: Int { storage.count - count }
    var isEmpty: Bool { count == 0 }

    /// Appends as much of `bytes` as fits; returns how many.
    mutating func append(_ bytes: UnsafeRawBufferPointer) -> Int {
        let length = min(bytes.count, free)
        write(bytes.slice(0..<length), at: count)
        count += length
        return length
    }

    /// Lets `fill` write straight into the free space after the readable end, in at most two
    /// contiguous pieces (the space may wrap), each call returning how many bytes it wrote;
    /// a short write ends it. Those bytes become readable. Returns the total, or nil when
    /// `fill` did (which keeps what earlier pieces wrote).
    mutating func appendInPlace(_ fill: (UnsafeMutableRawBufferPointer) -> Int?) -> Int? {
        var total = 0
        for _ in 0..<2 where free > 0 {
            let start = (head + count) % storage.count
            let length = min(free, storage.count - start)
            var written: Int? = 0
            storage.withUnsafeMutableBytes { buffer in
                written = fill(UnsafeMutableRawBufferPointer(rebasing: buffer[start..<start + length]))
            }
            guard let written else {
                return nil
            }
            let accepted = max(0, min(written, length))
            count += accepted
            total += accepted
            if accepted < length { break }
        }
        return total
    }

    /// Writes `bytes` at `offset` past the head without making them readable (out-of-order
    /// data); the caller keeps `offset + bytes.count <= capacity`.
    mutating func write(_ bytes: UnsafeRawBufferPointer, at offset: Int) {
        var source = 0
        var position = (head + offset) % storage.count
        storage.withUnsafeMutableBytes { buffer in
            while source < bytes.count {
                let chunk = min(bytes.count - source, buffer.count - position)
                buffer.copy(bytes.slice(source..<source + chunk), at: position)
                source += chunk
                position = 0
            }
        }
    }

    /// Makes `length` bytes already written past the readable end readable.
    mutating func commit(_ length: Int) { count = min(count + length, storage.count) }

    /// Copies bytes from `offset` past the head into `destination` (as many as it holds and
    /// are readable); returns how many.
    func copy(from offset: Int, into destination: UnsafeMutableRawBufferPointer) -> Int {
        let length = max(0, min(destination.count, count - offset))
        var copied = 0
        var position = (head + offset) % storage.count
        storage.withUnsafeBytes { buffer in
            while copied < length {
                let chunk = min(length - copied, buffer.count - position)
                destination.copy(buffer.slice(position..<position + chunk), at: copied)
                copied += chunk
                position = 0
            }
        }
        return length
    }

    /// Drops `length` bytes from the head.
    mutating func discard(_ length: Int) {
        let dropped = min(length, count)
        head = (head + dropped) % storage.count
        count -= dropped  // The head is not rewound: out-of-order bytes may sit past the end.
    }

    /// Copies out and consumes up to `destination.count` bytes.
    mutating func read(into destination: UnsafeMutableRawBufferPointer) -> Int {
        let length = copy(from: 0, into: destination)
        discard(length)
        return length
    }

    mutating func removeAll() {
        head = 0
        count = 0
    }
}

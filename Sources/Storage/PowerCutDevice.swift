/// A RAM disk that records every write and flush, so a test can rebuild the disk as a power cut
/// during any write would leave it (littlefs-style), and can make writes fail from a chosen one on.
import Capabilities

public final class PowerCutDevice: BlockDevice {
    public let sectorSize: Int
    public let sectorCount: UInt64
    public let isReadOnly = false
    /// The contents reads see: every write so far, as if power never fails.
    public private(set) var bytes: [UInt8]
    /// The contents when recording started.
    private var base: [UInt8]
    /// Every write since recording started, in order.
    private var writes: [(sector: UInt64, data: [UInt8])] = []
    /// For each flush since recording started, how many writes came before it.
    private var flushes: [Int] = []

    /// When set, write number `failingFromWrite` (counted from the start of recording) and every
    /// write and flush after it fail with `BlockError.deviceError` and change nothing.
    public var failingFromWrite: Int?

    /// What happens to writes issued after the last flush before the cut.
    public enum UnflushedWrites: Sendable {
        /// All of them are lost.
        case dropped
        /// A random subset of them reaches the disk, in order (the cache wrote some back).
        case randomSubset
    }

    public init(sectorSize: Int = 512, sectorCount: UInt64) {
        self.sectorSize = sectorSize
        self.sectorCount = sectorCount
        bytes = [UInt8](repeating: 0, count: sectorSize * Int(sectorCount))
        base = bytes
    }

    /// A device over a disk image; a trailing partial sector is dropped.
    public init(sectorSize: Int = 512, contents: [UInt8]) {
        self.sectorSize = sectorSize
        sectorCount = UInt64(contents.count / sectorSize)
        bytes = Array(contents[0..<(contents.count / sectorSize) * sectorSize])
        base = bytes
    }

    /// Writes recorded so far: the index the next write gets.
    public var writeCount: Int { writes.count }

    /// Flushes recorded so far.
    public var flushCount: Int { flushes.count }

    /// Forgets the recorded history: the current contents become the base of later cuts.
    public func startRecording() {
        base = bytes
        writes = []
        flushes = []
    }

    /// How many of the first `writeIndex` writes a flush made durable before write `writeIndex` started.
    public func durableWrites(before writeIndex: Int) -> Int {
        var durable = 0
        for count in flushes where count <= writeIndex { durable = count }
        return durable
    }

    /// The disk as power failing during write `writeIndex` leaves it: every write a flush
    /// covered, then the unflushed ones per `unflushed`, then the first part of write
    /// `writeIndex` (a random number of its bytes, `seed` picks it) over the old contents.
    /// A `writeIndex` of `writeCount` cuts after the last write, tearing nothing.
    public func image(cutAtWrite writeIndex: Int, tearingSeed seed: UInt64,
                      unflushed: UnflushedWrites = .dropped) -> [UInt8] {
        let cut = Swift.max(0, Swift.min(writeIndex, writes.count))
        var random = SplitMix64(seed: seed)
        var image = base
        let durable = durableWrites(before: cut)
        for index in 0..<cut where index < durable || (unflushed == .randomSubset && random.next() & 1 == 1) {
            apply(writes[index].data[...], at: writes[index].sector, to: &image)
        }
        if cut < writes.count {
            let torn = writes[cut]
            let kept = Int(random.next() % UInt64(torn.data.count + 1))
            apply(torn.data[0..<kept], at: torn.sector, to: &image)
        }
        return image
    }

    private func apply(_ data: ArraySlice<UInt8>, at sector: UInt64, to image: inout [UInt8]) {
        let start = Int(sector) * sectorSize
        image.replaceSubrange(start..<start + data.count, with: data)
    }

    public func read(sector: UInt64, into buffer: UnsafeMutableRawBufferPointer) throws(BlockError) {
        try validate(sector: sector, byteCount: buffer.count, writing: false)
        let start = Int(sector) * sectorSize
        bytes.withUnsafeBytes { disk in
            buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: disk[start..<start + buffer.count]))
        }
    }

    public func write(sector: UInt64, from buffer: UnsafeRawBufferPointer) throws(BlockError) {
        try validate(sector: sector, byteCount: buffer.count, writing: true)
        if let failing = failingFromWrite, writes.count >= failing { throw .deviceError }
        let data = [UInt8](buffer)
        apply(data[...], at: sector, to: &bytes)
        writes.append((sector, data))
    }

    public func flush() throws(BlockError) {
        if let failing = failingFromWrite, writes.count >= failing { throw .deviceError }
        flushes.append(writes.count)
    }
}

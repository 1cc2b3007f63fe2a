/// The driver's side of one split virtqueue (§2.6): offer buffer chains, publish them, take back what the device used, trusting nothing it wrote.
///
/// The queue keeps its own record of every chain it offered (head, length, the caller's
/// token, the bytes the device may write) in memory the device never sees, and never reads
/// the descriptor table back: a device that scribbles on it cannot make the driver free the
/// wrong descriptors or lend out the wrong buffer.
public struct SplitVirtqueue<Barrier: MemoryBarrier> {
    public let layout: VirtqueueLayout
    /// The queue's block (`layout.totalSize` bytes, zeroed, page-aligned), shared with the device.
    public let memory: UnsafeMutableRawPointer
    /// Per descriptor: the caller's token, or `Self.free`.
    private let tokens: UnsafeMutablePointer<UInt16>
    /// Per descriptor: the next descriptor in its chain or in the free list.
    private let links: UnsafeMutablePointer<UInt16>
    /// Per chain head: the descriptors in the chain and the bytes the device may write.
    private let chainLengths: UnsafeMutablePointer<UInt8>
    private let writableLengths: UnsafeMutablePointer<UInt32>

    private var freeHead: UInt16 = 0
    /// Descriptors not in any offered chain.
    public private(set) var freeCount: Int
    /// Chains offered and not yet returned.
    public private(set) var chainsInFlight = 0
    /// The driver's copy of avail->idx: the next available slot to fill (§2.6.6).
    private var availableIndex: UInt16 = 0
    /// What `availableIndex` was at the last `publish()`.
    private var publishedIndex: UInt16 = 0
    /// The next used-ring entry to read (§2.6.8: the driver keeps its own last-seen index).
    private var lastUsedIndex: UInt16 = 0
    public private(set) var counters = VirtqueueCounters()
    /// Set when the device's used index ran more than a ring ahead: nothing it says can
    /// be matched to a buffer any more, so the queue stops taking used entries (the device
    /// needs a reset, §2.1.2, after which `reset()` trusts it again).
    public private(set) var isBroken = false

    static var free: UInt16 { 0xffff }

    /// A queue over `memory`, which the caller allocated (`layout.totalSize` bytes, aligned
    /// to 4096) and keeps for as long as the device may use it. Zeroes it.
    public init(layout: VirtqueueLayout, memory: UnsafeMutableRawPointer) {
        self.layout = layout
        self.memory = memory
        let size = layout.size
        tokens = .allocate(capacity: size)
        links = .allocate(capacity: size)
        chainLengths = .allocate(capacity: size)
        writableLengths = .allocate(capacity: size)
        freeCount = size
        reset()
    }

    /// Back to the state after a device reset (§2.1.2): the block zeroed, every descriptor
    /// free, both indices 0, the queue trusted again. Only while the device is reset: it must
    /// not be using the block. The counters keep counting.
    public mutating func reset() {
        memory.initializeMemory(as: UInt8.self, repeating: 0, count: layout.totalSize)
        let size = layout.size
        tokens.initialize(repeating: Self.free, count: size)
        for index in 0..<size { (links + index).initialize(to: UInt16(truncatingIfNeeded: index + 1)) }
        chainLengths.initialize(repeating: 0, count: size)
        writableLengths.initialize(repeating: 0, count: size)
        freeHead = 0
        freeCount = size
        chainsInFlight = 0
        availableIndex = 0
        publishedIndex = 0
        lastUsedIndex = 0
        isBroken = false
    }

    /// Places a chain of one to three segments in the next available slot, remembering
    /// `token` for when the device returns it. The device does not see it before
    /// `publish()`. `token` is any value but 0xffff (the queue's mark for a free
    /// descriptor). Returns false when too few descriptors are free, a segment is empty,
    /// a third segment comes without a second, or the token is 0xffff.
    public mutating func offer(_ first: BufferSegment, _ second: BufferSegment? = nil, _ third: BufferSegment? = nil,
                               token: UInt16) -> Bool {
        let needed = second == nil ? 1 : third == nil ? 2 : 3
        guard freeCount >= needed, token != Self.free, first.length > 0, (second?.length ?? 1) > 0,
              (third?.length ?? 1) > 0, second != nil || third == nil else { return false }
        let head = freeHead
        var index = head
        var writable: UInt32 = 0
        for position in 0..<needed {
            let segment = position == 0 ? first : position == 1 ? second! : third!
            let isLast = position == needed - 1
            let next = links[Int(index)]
            var flags: UInt16 = isLast ? 0 : DescriptorFlags.next
            if segment.isDeviceWritable {
                flags |= DescriptorFlags.write
                writable &+= segment.length
            }
            let offset = layout.descriptorOffset(Int(index))
            memory.storeLittleEndian(segment.address, at: offset)
            memory.storeLittleEndian(segment.length, at: offset + 8)
            memory.storeLittleEndian(flags, at: offset + 12)
            memory.storeLittleEndian(isLast ? 0 : next, at: offset + 14)
            if isLast { freeHead = next } else { index = next }
        }
        freeCount -= needed
        tokens[Int(head)] = token
        chainLengths[Int(head)] = UInt8(needed)
        writableLengths[Int(head)] = writable
        memory.storeLittleEndian(head, at: layout.availableSlotOffset(layout.slot(availableIndex)))
        availableIndex &+= 1
        chainsInFlight += 1
        return true
    }

    /// Makes every offered chain visible: descriptors and ring slots first, then the index
    /// (§2.6.13.3, a barrier between). Returns whether the device asked to be notified
    /// (§2.6.13.4: the used ring's NO_NOTIFY hint, read after another barrier); the caller
    /// then writes the transport's QueueNotify.
    public mutating func publish() -> Bool {
        guard availableIndex != publishedIndex else { return false }
        Barrier.full()
        memory.storeLittleEndian(availableIndex, at: layout.availableIndexOffset)
        publishedIndex = availableIndex
        Barrier.full()
        return memory.littleEndian16(at: layout.usedFlagsOffset) & RingFlags.noNotify == 0
    }

    /// Asks the device not to interrupt for this queue (a hint, §2.6.7), or to interrupt again.
    public func suppressInterrupts(_ suppress: Bool) {
        memory.storeLittleEndian(suppress ? RingFlags.noInterrupt : 0, at: layout.availableFlagsOffset)
    }

    /// Whether the device has returned something `takeUsed()` has not yet looked at.
    public var hasUsed: Bool {
        !isBroken && memory.littleEndian16(at: layout.usedIndexOffset) != lastUsedIndex
    }

    /// The next chain the device finished with, its descriptors already free again; nil
    /// when there is none. Entries naming no chain in flight are counted and skipped. A
    /// length beyond what the chain let the device write is counted and returned as
    /// `length == nil`, so the caller recycles the buffer without reading it.
    public mutating func takeUsed() -> UsedBuffer? {
        guard !isBroken else { return nil }
        let deviceIndex = memory.littleEndian16(at: layout.usedIndexOffset)
        let pending = Int(deviceIndex &- lastUsedIndex)
        guard pending > 0 else { return nil }
        // The used ring holds `size` entries: an index further ahead than that has lapped
        // entries the driver never read. Within that, each entry is checked on its own.
        guard pending <= layout.size else {
            counters.usedIndexJumps += 1
            isBroken = true
            return nil
        }
        // The entries are read only after the index that covers them (§2.6.14).
        Barrier.full()
        while lastUsedIndex != deviceIndex {
            let offset = layout.usedElementOffset(layout.slot(lastUsedIndex))
            let identifier = memory.littleEndian32(at: offset)
            let length = memory.littleEndian32(at: offset + 4)
            lastUsedIndex &+= 1
            guard identifier < UInt32(layout.size), tokens[Int(identifier)] != Self.free,
                  chainLengths[Int(identifier)] != 0 else {
                counters.unknownIdentifiers += 1
                continue
            }
            let head = Int(identifier)
            let token = tokens[head]
            let writable = writableLengths[head]
            release(head: UInt16(truncatingIfNeeded: head))
            guard length <= writable else {
                counters.lengthsTooLong += 1
                return UsedBuffer(token: token, length: nil)
            }
            counters.buffersReturned += 1
            return UsedBuffer(token: token, length: Int(length))
        }
        return nil
    }

    /// Puts a returned chain's descriptors back on the free list, following our own links.
    private mutating func release(head: UInt16) {
        let count = Int(chainLengths[Int(head)])
        var last = head
        for _ in 1..<max(count, 1) { last = links[Int(last)] }
        tokens[Int(head)] = Self.free
        chainLengths[Int(head)] = 0
        links[Int(last)] = freeHead
        freeHead = head
        freeCount += count
        chainsInFlight -= 1
    }
}

/// One piece of a buffer chain: where it is, how long, and whether the device writes it.
public struct BufferSegment {
    public var address: UInt64
    public var length: UInt32
    public var isDeviceWritable: Bool

    public init(address: UInt64, length: UInt32, isDeviceWritable: Bool) {
        self.address = address
        self.length = length
        self.isDeviceWritable = isDeviceWritable
    }

    /// A segment over host memory (identity mapped, see `physicalAddress(of:)`).
    public init(_ pointer: UnsafeRawPointer, length: Int, isDeviceWritable: Bool) {
        self.init(address: physicalAddress(of: pointer), length: UInt32(truncatingIfNeeded: length),
                  isDeviceWritable: isDeviceWritable)
    }
}

/// A chain the device returned: the token it was offered with and the bytes the device
/// wrote, or nil when the device claimed more than the chain could hold.
public struct UsedBuffer: Equatable {
    public var token: UInt16
    public var length: Int?
}

/// What a device got wrong, and how much went through.
public struct VirtqueueCounters: Equatable {
    /// Used entries the driver accepted.
    public var buffersReturned = 0
    /// Used entries whose id was out of range or named no chain in flight.
    public var unknownIdentifiers = 0
    /// Used entries whose length exceeded the chain's writable bytes.
    public var lengthsTooLong = 0
    /// Times the used index ran ahead of the chains in flight.
    public var usedIndexJumps = 0

    public init() {}

    /// Every device error counted.
    public var errors: Int { unknownIdentifiers + lengthsTooLong + usedIndexJumps }
}

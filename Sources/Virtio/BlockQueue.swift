/// virtio-blk's request queue (virtio 1.2 §5.2.6): one request at a time through driver-owned buffers, each completion checked before it is believed.
import Capabilities

/// What a request waits with: the transport's notification, and the board's clock and sleep.
public protocol BlockRequestWaiter {
    /// Tells the device the queue has a new request (the transport's QueueNotify).
    mutating func notify()
    /// A request was just published: its time starts now.
    mutating func begin()
    /// Sleeps until `isComplete()` may have changed (an interrupt) or spins a little, and
    /// returns whether the request still has time. `isComplete` reads the used ring.
    mutating func wait(until isComplete: () -> Bool) -> Bool
}

/// One request at a time, checked.
///
/// Every request is a three-descriptor chain (header, data, status; FLUSH has no data) over
/// memory the queue owns: the caller's buffer is copied in or out, so a device that answers
/// late, or never, can only ever write into the queue's own buffers, never into memory the
/// caller has since reused. Requests larger than `transferLimit` go as several in order.
///
/// A completion is accepted only when the used ring advanced by exactly one entry, naming the
/// chain just published with the token it was given, with a length the chain allowed and that
/// matches the request (data plus the status byte for a successful read; at least the status
/// byte otherwise), and a status byte of OK, IOERR or UNSUPP (it is set to 0xff before each
/// request, so a completion the device never wrote shows). Anything else is
/// `BlockError.protocolViolation`, and so is a used entry that appears while nothing is
/// outstanding. A violation or a timeout leaves the queue broken (`isBroken`): the device may
/// still own the chain, so the driver resets the device and then calls `reset()`.
/// `BlockError.deviceError` (IOERR) and `.unsupported` (UNSUPP) leave the queue usable.
public struct BlockQueue<Barrier: MemoryBarrier> {
    /// Data bytes per request when neither the caller nor the device asks for less.
    public static var preferredTransferLimit: Int { 65536 }
    /// Header, data and status.
    public static var descriptorsPerRequest: Int { 3 }
    static var statusOffset: Int { BlockRequestHeader.length }
    /// Written into the status byte before each request: not a status the device may return.
    static var statusUnwritten: UInt8 { 0xff }

    public private(set) var queue: SplitVirtqueue<Barrier>
    /// The most data bytes one request moves: a multiple of 512.
    public let transferLimit: Int
    public private(set) var isBroken = false
    public private(set) var counters = BlockQueueCounters()
    /// The header (16 bytes) and, after it, the status byte.
    private let control: UnsafeMutableRawPointer
    /// The data of the request in flight: `transferLimit` bytes.
    private let data: UnsafeMutableRawPointer
    private var outstanding: Outstanding? = nil
    /// The used index as far as this queue has accepted entries.
    private var usedSeen: UInt16 = 0
    private var nextToken: UInt16 = 0
    private var interruptsSuppressed = false

    private struct Outstanding {
        var token: UInt16
        /// The bytes the chain lets the device write: data (for reads) plus the status byte.
        var writable: Int
    }

    /// A queue moving at most `transferLimit` bytes per request (rounded down to 512-byte
    /// units, at least one); nil when `queue` cannot hold one three-descriptor chain.
    public init?(queue: SplitVirtqueue<Barrier>, transferLimit: Int = BlockQueue.preferredTransferLimit) {
        guard queue.layout.size >= Self.descriptorsPerRequest else { return nil }
        self.queue = queue
        let unit = BlockRequestHeader.sectorUnit
        self.transferLimit = max(unit, transferLimit / unit * unit)
        control = .allocate(byteCount: 64, alignment: 64)
        control.initializeMemory(as: UInt8.self, repeating: 0, count: 64)
        data = .allocate(byteCount: self.transferLimit, alignment: 64)
        data.initializeMemory(as: UInt8.self, repeating: 0, count: self.transferLimit)
    }

    /// After the device was reset (§2.1.2): the queue as new over the same memory, trusted
    /// again. Only while the device is reset; the transport then installs the queue again.
    public mutating func reset() {
        queue.reset()
        queue.suppressInterrupts(interruptsSuppressed)
        outstanding = nil
        usedSeen = 0
        isBroken = false
        counters.resets += 1
    }

    /// Asks the device not to interrupt on completions (a driver that polls), or to interrupt.
    public mutating func suppressInterrupts(_ suppress: Bool) {
        interruptsSuppressed = suppress
        queue.suppressInterrupts(suppress)
    }

    /// Whether the device has put something in the used ring the queue has not looked at.
    public var hasCompletion: Bool { queue.hasUsed }

    /// Reads `buffer.count` bytes (a non-zero multiple of 512) from 512-byte sector `sector` on.
    public mutating func read<Waiter: BlockRequestWaiter>(sector: UInt64, into buffer: UnsafeMutableRawBufferPointer,
                                                          waiter: inout Waiter) throws(BlockError) {
        try checkShape(sector: sector, byteCount: buffer.count)
        var done = 0
        while done < buffer.count {
            let length = min(transferLimit, buffer.count - done)
            try perform(.read, sector: sector + UInt64(done / BlockRequestHeader.sectorUnit), dataLength: length,
                        deviceWrites: true, waiter: &waiter)
            UnsafeMutableRawBufferPointer(rebasing: buffer[done..<done + length])
                .copyMemory(from: UnsafeRawBufferPointer(start: data, count: length))
            done += length
        }
    }

    /// Writes `buffer.count` bytes (a non-zero multiple of 512) to 512-byte sector `sector` on.
    public mutating func write<Waiter: BlockRequestWaiter>(sector: UInt64, from buffer: UnsafeRawBufferPointer,
                                                           waiter: inout Waiter) throws(BlockError) {
        try checkShape(sector: sector, byteCount: buffer.count)
        var done = 0
        while done < buffer.count {
            let length = min(transferLimit, buffer.count - done)
            UnsafeMutableRawBufferPointer(start: data, count: length)
                .copyMemory(from: UnsafeRawBufferPointer(rebasing: buffer[done..<done + length]))
            try perform(.write, sector: sector + UInt64(done / BlockRequestHeader.sectorUnit), dataLength: length,
                        deviceWrites: false, waiter: &waiter)
            done += length
        }
    }

    /// Commits every completed write (VIRTIO_BLK_T_FLUSH: no data, sector 0).
    public mutating func flush<Waiter: BlockRequestWaiter>(waiter: inout Waiter) throws(BlockError) {
        try perform(.flush, sector: 0, dataLength: 0, deviceWrites: false, waiter: &waiter)
    }

    /// The device's 20-byte identifier (GET_ID, §5.2.6), zero from its first NUL on: a
    /// device may write only the string and its terminator (QEMU does) yet report all 20
    /// bytes, so the buffer is zeroed first and nothing after the string is believed.
    public mutating func identifier<Waiter: BlockRequestWaiter>(waiter: inout Waiter) throws(BlockError) -> [UInt8] {
        let length = BlockRequestHeader.identifierLength
        data.initializeMemory(as: UInt8.self, repeating: 0, count: length)
        try perform(.getIdentifier, sector: 0, dataLength: length, deviceWrites: true, waiter: &waiter)
        var bytes = [UInt8](UnsafeRawBufferPointer(start: data, count: length))
        if let end = bytes.firstIndex(of: 0) {
            for index in end..<length { bytes[index] = 0 }
        }
        return bytes
    }

    private func checkShape(sector: UInt64, byteCount: Int) throws(BlockError) {
        let unit = BlockRequestHeader.sectorUnit
        guard byteCount > 0, byteCount % unit == 0 else { throw .misaligned }
        guard !sector.addingReportingOverflow(UInt64(byteCount / unit)).overflow else { throw .outOfRange }
    }

    /// Publishes one request over the queue's buffers and waits for its checked completion.
    private mutating func perform<Waiter: BlockRequestWaiter>(_ type: BlockRequestType, sector: UInt64, dataLength: Int,
                                                              deviceWrites: Bool, waiter: inout Waiter) throws(BlockError) {
        guard !isBroken else { throw .protocolViolation }
        // Nothing is outstanding, so a used entry now answers no request: replayed or invented.
        if queue.hasUsed { try violation() }
        BlockRequestHeader(type: type, sector: sector)
            .emit(into: UnsafeMutableRawBufferPointer(start: control, count: BlockRequestHeader.length))
        control.storeBytes(of: Self.statusUnwritten, toByteOffset: Self.statusOffset, as: UInt8.self)
        let token = nextToken
        nextToken = nextToken &+ 1 == 0xffff ? 0 : nextToken &+ 1
        let header = BufferSegment(control, length: BlockRequestHeader.length, isDeviceWritable: false)
        let status = BufferSegment(control + Self.statusOffset, length: 1, isDeviceWritable: true)
        let offered: Bool
        if dataLength > 0 {
            offered = queue.offer(header, BufferSegment(data, length: dataLength, isDeviceWritable: deviceWrites), status,
                                  token: token)
        } else {
            offered = queue.offer(header, status, token: token)
        }
        // Only possible if descriptors went missing, which the checks above rule out.
        guard offered else { try violation() }
        outstanding = Outstanding(token: token, writable: (deviceWrites ? dataLength : 0) + 1)
        counters.requests += 1
        if queue.publish() { waiter.notify() }
        waiter.begin()
        while true {
            if try complete() { return }
            guard waiter.wait(until: { self.queue.hasUsed }) else {
                if try complete() { return }
                // The device still owns the chain and may write it later: only a reset ends that.
                isBroken = true
                counters.timeouts += 1
                throw .timeout
            }
        }
    }

    /// Takes and checks the outstanding request's completion: true when it completed with
    /// OK, false when the device has not answered yet; throws for IOERR, UNSUPP or a violation.
    private mutating func complete() throws(BlockError) -> Bool {
        guard let request = outstanding else { return true }
        let deviceIndex = queue.memory.littleEndian16(at: queue.layout.usedIndexOffset)
        let ahead = deviceIndex &- usedSeen
        guard ahead != 0 else { return false }
        // One request is outstanding: more than one new entry is more answers than questions.
        guard ahead == 1 else { try violation() }
        let errorsBefore = queue.counters.errors
        let used = queue.takeUsed()
        usedSeen &+= 1
        outstanding = nil
        guard let used, queue.counters.errors == errorsBefore, used.token == request.token,
              let length = used.length, length >= 1 else { try violation() }
        // takeUsed's barrier ordered the index read before this one (§2.6.14).
        let byte = control.load(fromByteOffset: Self.statusOffset, as: UInt8.self)
        guard let status = BlockStatus(rawValue: byte) else { try violation() }
        switch status {
        case .ok:
            // A successful read filled every data byte it was given (§2.7.8.2: len counts
            // the bytes written), else the caller would get stale data.
            guard length == request.writable else { try violation() }
            counters.completed += 1
            return true
        case .ioError:
            counters.deviceErrors += 1
            throw .deviceError
        case .unsupported:
            counters.unsupported += 1
            throw .unsupported
        }
    }

    private mutating func violation() throws(BlockError) -> Never {
        isBroken = true
        counters.protocolViolations += 1
        throw .protocolViolation
    }
}

/// Requests through the queue, and how they ended.
public struct BlockQueueCounters: Equatable {
    public var requests = 0
    public var completed = 0
    /// IOERR answers.
    public var deviceErrors = 0
    /// UNSUPP answers.
    public var unsupported = 0
    public var protocolViolations = 0
    public var timeouts = 0
    /// Times the queue was reset after the device was.
    public var resets = 0

    public init() {}
}

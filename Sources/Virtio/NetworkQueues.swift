/// virtio-net's receive and transmit queues over fixed pools of buffers (§5.1.6): frames lent in place, nothing allocated per packet.
///
/// Each pool buffer holds the virtio-net header followed by one Ethernet frame. On a modern
/// device, or a legacy one that accepts any layout, a buffer is one descriptor; otherwise
/// the header gets a descriptor of its own (legacy §5.1.6.6: the header in the first
/// descriptor, the packet in the following ones), still inside the same buffer.
/// The transport (which notifies and acknowledges interrupts) is the caller's: every
/// mutating call says whether the device wants a QueueNotify for that queue.
public struct NetworkQueues<Barrier: MemoryBarrier> {
    /// Header (at most 12 bytes) plus the largest frame, rounded up to a cache-line multiple.
    public static var bufferSize: Int { 1536 }
    /// An Ethernet frame without FCS carrying `maximumTransmissionUnit` bytes.
    public static var maximumFrameLength: Int { 14 + maximumTransmissionUnit }
    public static var maximumTransmissionUnit: Int { 1500 }

    public private(set) var receiveQueue: SplitVirtqueue<Barrier>
    public private(set) var transmitQueue: SplitVirtqueue<Barrier>
    public let headerLength: Int
    /// Whether the header gets a descriptor of its own.
    public let separatesHeader: Bool
    public let receiveBufferCount: Int
    public let transmitBufferCount: Int
    private let receivePool: UnsafeMutableRawPointer
    private let transmitPool: UnsafeMutableRawPointer
    /// The transmit buffers not offered to the device, as a stack of indices.
    private let freeTransmitBuffers: UnsafeMutablePointer<UInt16>
    private var freeTransmitCount: Int
    public private(set) var counters = NetworkQueueCounters()

    /// Allocates the pools (at most one buffer per chain the queue can hold) and offers every
    /// receive buffer; `start()` then publishes them.
    public init(receive: SplitVirtqueue<Barrier>, transmit: SplitVirtqueue<Barrier>, features: VirtioFeatures,
                receiveBuffers: Int, transmitBuffers: Int) {
        headerLength = NetworkHeader.length(features: features)
        separatesHeader = !features.contains(.version1) && !features.contains(.anyLayout)
        let descriptorsPerBuffer = separatesHeader ? 2 : 1
        receiveBufferCount = max(1, min(receiveBuffers, receive.layout.size / descriptorsPerBuffer))
        transmitBufferCount = max(1, min(transmitBuffers, transmit.layout.size / descriptorsPerBuffer))
        receiveQueue = receive
        transmitQueue = transmit
        receivePool = .allocate(byteCount: receiveBufferCount * Self.bufferSize, alignment: 64)
        receivePool.initializeMemory(as: UInt8.self, repeating: 0, count: receiveBufferCount * Self.bufferSize)
        transmitPool = .allocate(byteCount: transmitBufferCount * Self.bufferSize, alignment: 64)
        transmitPool.initializeMemory(as: UInt8.self, repeating: 0, count: transmitBufferCount * Self.bufferSize)
        freeTransmitBuffers = .allocate(capacity: transmitBufferCount)
        freeTransmitCount = 0
        prepare()
    }

    /// Every transmit buffer free, every receive buffer offered (not yet published).
    private mutating func prepare() {
        for index in 0..<transmitBufferCount {
            (freeTransmitBuffers + index).initialize(to: UInt16(truncatingIfNeeded: index))
        }
        freeTransmitCount = transmitBufferCount
        // Completed transmissions are collected when the next frame goes out: no interrupt needed.
        transmitQueue.suppressInterrupts(true)
        for index in 0..<receiveBufferCount { offerReceiveBuffer(index) }
    }

    /// After the device was reset: both queues as new over the same memory and pools, every
    /// receive buffer offered again; `start()` publishes them. Frames the device held are lost
    /// (TCP retransmits). Only while the device is reset.
    public mutating func reset() {
        receiveQueue.reset()
        transmitQueue.reset()
        prepare()
        counters.resets += 1
    }

    /// Publishes the receive buffers offered so far; true when the device wants a notification.
    public mutating func start() -> Bool { receiveQueue.publish() }

    /// Lends the next good frame to `body` (see `NetworkInterface.receive`) and gives its
    /// buffer back to the device. Returns the result, or nil when no frame is waiting, and
    /// whether the receive queue needs a notification.
    public mutating func receive<Result>(_ body: (UnsafeRawBufferPointer) -> Result) -> (result: Result?, notify: Bool) {
        while let used = receiveQueue.takeUsed() {
            let index = Int(used.token)
            // The queue already counted a length beyond the buffer.
            guard let length = used.length else {
                offerReceiveBuffer(index)
                continue
            }
            guard length >= headerLength, length - headerLength <= Self.maximumFrameLength else {
                if length < headerLength { counters.runtFrames += 1 } else { counters.oversizedFrames += 1 }
                offerReceiveBuffer(index)
                continue
            }
            counters.framesReceived += 1
            let frame = UnsafeRawBufferPointer(start: receiveBuffer(index) + headerLength, count: length - headerLength)
            let result = body(frame)
            offerReceiveBuffer(index)
            return (result, receiveQueue.publish())
        }
        return (nil, receiveQueue.publish())
    }

    /// Whether a received frame (or a device error to count) is waiting.
    public var hasReceived: Bool { receiveQueue.hasUsed }

    /// Lends a transmit buffer of `length` bytes to `fill` and queues it (see
    /// `NetworkInterface.transmit`). Returns whether it was queued and whether the transmit
    /// queue needs a notification.
    public mutating func transmit(length: Int, _ fill: (UnsafeMutableRawBufferPointer) -> Void) -> (sent: Bool, notify: Bool) {
        reclaimTransmitBuffers()
        guard length > 0, length <= Self.maximumFrameLength else {
            counters.transmitRejected += 1
            return (false, false)
        }
        guard freeTransmitCount > 0 else {
            counters.transmitQueueFull += 1
            return (false, false)
        }
        freeTransmitCount -= 1
        let index = Int(freeTransmitBuffers[freeTransmitCount])
        let buffer = transmitPool + index * Self.bufferSize
        NetworkHeader().emit(into: UnsafeMutableRawBufferPointer(start: buffer, count: headerLength), length: headerLength)
        fill(UnsafeMutableRawBufferPointer(start: buffer + headerLength, count: length))
        let offered: Bool
        if separatesHeader {
            offered = transmitQueue.offer(BufferSegment(buffer, length: headerLength, isDeviceWritable: false),
                                          BufferSegment(buffer + headerLength, length: length, isDeviceWritable: false),
                                          token: UInt16(truncatingIfNeeded: index))
        } else {
            offered = transmitQueue.offer(BufferSegment(buffer, length: headerLength + length, isDeviceWritable: false),
                                          token: UInt16(truncatingIfNeeded: index))
        }
        // Cannot fail: a free buffer always has its descriptors free. Kept as a check, not a trap.
        guard offered else {
            freeTransmitCount += 1
            counters.transmitQueueFull += 1
            return (false, false)
        }
        counters.framesTransmitted += 1
        return (true, transmitQueue.publish())
    }

    /// Takes back the buffers the device finished sending.
    public mutating func reclaimTransmitBuffers() {
        while let used = transmitQueue.takeUsed() {
            // The device writes nothing into a transmit chain; the queue counted it if it said so.
            guard Int(used.token) < transmitBufferCount, freeTransmitCount < transmitBufferCount else { continue }
            freeTransmitBuffers[freeTransmitCount] = used.token
            freeTransmitCount += 1
        }
    }

    /// Transmit buffers the device still holds.
    public var transmitBuffersInFlight: Int { transmitBufferCount - freeTransmitCount }

    /// Whether either queue stopped trusting the device (its used index ran ahead).
    public var isBroken: Bool { receiveQueue.isBroken || transmitQueue.isBroken }

    private func receiveBuffer(_ index: Int) -> UnsafeMutableRawPointer { receivePool + index * Self.bufferSize }

    private mutating func offerReceiveBuffer(_ index: Int) {
        let buffer = receiveBuffer(index)
        let token = UInt16(truncatingIfNeeded: index)
        if separatesHeader {
            _ = receiveQueue.offer(BufferSegment(buffer, length: headerLength, isDeviceWritable: true),
                                   BufferSegment(buffer + headerLength, length: Self.bufferSize - headerLength,
                                                 isDeviceWritable: true),
                                   token: token)
        } else {
            _ = receiveQueue.offer(BufferSegment(buffer, length: Self.bufferSize, isDeviceWritable: true), token: token)
        }
    }
}

/// Frames through the queues, and what was dropped on the way.
public struct NetworkQueueCounters: Equatable {
    public var framesReceived = 0
    public var framesTransmitted = 0
    /// Received buffers shorter than the virtio-net header.
    public var runtFrames = 0
    /// Received frames longer than the MTU allows (they fit the buffer, not the stack).
    public var oversizedFrames = 0
    /// Transmit calls with a length of 0 or beyond the MTU.
    public var transmitRejected = 0
    /// Transmit calls that found every buffer with the device.
    public var transmitQueueFull = 0
    /// Times the queues were reset (after the device broke the ring protocol).
    public var resets = 0

    public init() {}
}

/// virtio-blk (virtio 1.2 §5.2) as a `BlockDevice`: one request queue, synchronous requests, completion awaited with `wfi` (or polling) and a timeout.
import ARMBoot
import Capabilities
import Platform
import Virtio

/// The disk behind one virtio-mmio slot. Requests go one at a time through `BlockQueue`
/// (the portable half, which checks every completion); this class adds the transport, the
/// sector-size conversion, the wait and the recovery from a device that broke the protocol.
///
/// Waiting: with `waitsForInterrupts` the board has routed the slot's interrupt through
/// `VirtioInterrupts` (as for virtio-net), and the driver sleeps in `wfi` between checks of
/// the used ring, with the generic timer armed for the request's deadline so a silent device
/// still ends in `BlockError.timeout`. Without it the driver polls the ring until the
/// deadline. Interrupts that arrive while it sleeps (virtio-net's among them) are handed on:
/// after each operation `InterruptHandlers.somethingHappened` is set again if any came, so
/// the event loop's next sleep returns at once and its polls see the frames. The timer is
/// left disarmed; the event loop arms it again before it sleeps.
///
/// Flush: with VIRTIO_BLK_F_FLUSH a FLUSH request; without it the device has no write-back
/// cache to flush (§5.2.5: without FLUSH the driver assumes a writethrough device, whose
/// completed writes are already durable), so `flush()` returns at once.
public final class VirtioBlock: BlockDevice {
    /// The only queue (§5.2.2: requestq, without VIRTIO_BLK_F_MQ).
    static let requestQueue: UInt32 = 0
    static let wantedFeatures: VirtioFeatures = .blockReadOnly | .blockSize | .blockFlush | .blockMaximumSegments
        | .blockMaximumSegmentSize | .version1
    /// One request in flight needs three descriptors; a queue of four holds it.
    static let preferredQueueSize = 4
    /// Device resets in a row (without a request succeeding in between) before the driver
    /// gives up on the device for good.
    static let restartLimit = 8
    public static let defaultTimeout = Capabilities.Duration.seconds(10)

    public let transport: VirtioMMIO
    public let features: VirtioFeatures
    public let configuration: BlockConfiguration
    public let sectorSize: Int
    public let sectorCount: UInt64
    public let isReadOnly: Bool
    /// Whether the device has a write cache that `flush()` commits with a FLUSH request.
    public var hasFlush: Bool { features.contains(.blockFlush) }
    /// Device resets after it broke the protocol or timed out.
    public private(set) var restarts = 0
    /// Resets since a request last succeeded.
    private var restartsInARow = 0
    private var queue: BlockQueue<ARMBarrier>
    private var waiter: VirtioBlockWaiter
    /// 512-byte device units per driver sector.
    private let unitsPerSector: UInt64

    /// Initialises the block device behind `transport` (§3.1.1, §5.2.5): negotiates RO,
    /// BLK_SIZE, FLUSH, SEG_MAX, SIZE_MAX (and VERSION_1 on a modern transport), sets up the
    /// request queue, reads the configuration and sets DRIVER_OK. `clock` is the board's
    /// generic timer (for deadlines, and its wake-up while sleeping); `waitsForInterrupts`
    /// says the board routes the slot's interrupt through `VirtioInterrupts` (register it
    /// before the first request). nil when the slot holds no block device, the device
    /// refuses the features, or it lacks a usable queue.
    public static func start(transport: VirtioMMIO, clock: GenericTimer, waitsForInterrupts: Bool,
                             timeout: Capabilities.Duration = defaultTimeout,
                             transferLimit: Int = BlockQueue<ARMBarrier>.preferredTransferLimit) -> VirtioBlock? {
        guard transport.deviceIdentifier == VirtioDeviceType.block.rawValue else { return nil }
        transport.begin()
        guard let accepted = transport.negotiate(wanted: wantedFeatures) else { return nil }
        guard let layout = transport.queueLayout(requestQueue, preferred: preferredQueueSize),
              layout.size >= BlockQueue<ARMBarrier>.descriptorsPerRequest else {
            transport.fail()
            return nil
        }
        let ring = transport.setUpQueue(requestQueue, layout: layout)
        var bytes = (UInt64(0), UInt64(0), UInt64(0))
        let parsed = withUnsafeMutableBytes(of: &bytes) { raw -> BlockConfiguration? in
            let window = UnsafeMutableRawBufferPointer(rebasing: raw[0..<BlockConfiguration.length])
            transport.readConfiguration(offset: 0, into: window)
            return BlockConfiguration(parsing: UnsafeRawBufferPointer(window), features: accepted)
        }
        guard let configuration = parsed,
              var queue = BlockQueue(queue: ring, transferLimit: configuration.transferLimit(preferred: transferLimit)) else {
            transport.fail()
            return nil
        }
        queue.suppressInterrupts(!waitsForInterrupts)
        let waiter = VirtioBlockWaiter(transport: transport, clock: clock, timeout: timeout,
                                       usesInterrupts: waitsForInterrupts)
        let device = VirtioBlock(transport: transport, features: accepted, configuration: configuration, queue: queue,
                                 waiter: waiter)
        transport.finish()
        return device
    }

    private init(transport: VirtioMMIO, features: VirtioFeatures, configuration: BlockConfiguration,
                 queue: BlockQueue<ARMBarrier>, waiter: VirtioBlockWaiter) {
        self.transport = transport
        self.features = features
        self.configuration = configuration
        self.queue = queue
        self.waiter = waiter
        sectorSize = configuration.sectorSize
        sectorCount = configuration.sectorCount
        isReadOnly = features.contains(.blockReadOnly)
        unitsPerSector = UInt64(configuration.sectorSize / BlockRequestHeader.sectorUnit)
    }

    public func read(sector: UInt64, into buffer: UnsafeMutableRawBufferPointer) throws(BlockError) {
        try validate(sector: sector, byteCount: buffer.count, writing: false)
        let unit = try deviceUnit(sector)
        try restartIfBroken()
        defer { waiter.finish() }
        try queue.read(sector: unit, into: buffer, waiter: &waiter)
        restartsInARow = 0
    }

    public func write(sector: UInt64, from buffer: UnsafeRawBufferPointer) throws(BlockError) {
        try validate(sector: sector, byteCount: buffer.count, writing: true)
        let unit = try deviceUnit(sector)
        try restartIfBroken()
        defer { waiter.finish() }
        try queue.write(sector: unit, from: buffer, waiter: &waiter)
        restartsInARow = 0
    }

    public func flush() throws(BlockError) {
        if isReadOnly { throw .readOnly }
        guard hasFlush else { return }
        try restartIfBroken()
        defer { waiter.finish() }
        try queue.flush(waiter: &waiter)
        restartsInARow = 0
    }

    /// The device's identifier string: up to 20 bytes, zero-padded (GET_ID, §5.2.6).
    /// `BlockError.unsupported` from a device that does not know the request.
    public func identifier() throws(BlockError) -> [UInt8] {
        try restartIfBroken()
        defer { waiter.finish() }
        let identifier = try queue.identifier(waiter: &waiter)
        restartsInARow = 0
        return identifier
    }

    /// Requests, completions and what the device got wrong.
    public var counters: BlockQueueCounters { queue.counters }
    public var queueCounters: VirtqueueCounters { queue.queue.counters }
    /// The transfer limit per request, in bytes.
    public var transferLimit: Int { queue.transferLimit }
    /// The device failed `restartLimit` resets in a row and is off.
    public var isBroken: Bool { queue.isBroken && restartsInARow >= Self.restartLimit }

    /// A driver sector as 512-byte units; `validate` bounds it below the capacity, which is in those units.
    private func deviceUnit(_ sector: UInt64) throws(BlockError) -> UInt64 {
        let (unit, overflow) = sector.multipliedReportingOverflow(by: unitsPerSector)
        guard !overflow else { throw .outOfRange }
        return unit
    }

    /// After a violation or a timeout the device may still own the request's chain: reset it
    /// (§2.1.2; it then forgets the queue), renegotiate the same features and give it the same
    /// queue memory, fresh (§3.1.1). After `restartLimit` resets with no request succeeding
    /// in between, or one that fails to renegotiate, the device stays off.
    private func restartIfBroken() throws(BlockError) {
        guard queue.isBroken else { return }
        guard restartsInARow < Self.restartLimit else { throw .protocolViolation }
        restarts += 1
        restartsInARow += 1
        transport.begin()
        queue.reset()
        guard transport.negotiate(wanted: Self.wantedFeatures) == features else {
            transport.fail()
            restartsInARow = Self.restartLimit
            throw .protocolViolation
        }
        transport.install(queue.queue, at: Self.requestQueue)
        transport.finish()
    }
}

/// How a virtio-blk request waits: QueueNotify, a deadline on the generic timer, and `wfi`
/// between looks at the used ring (or a spin when the interrupt is not routed).
struct VirtioBlockWaiter: BlockRequestWaiter {
    let transport: VirtioMMIO
    var clock: GenericTimer
    let timeout: Capabilities.Duration
    let usesInterrupts: Bool
    private var deadline = Instant.zero
    /// An interrupt ran while this waiter slept: the event loop must hear of it.
    private var sawInterrupt = false

    init(transport: VirtioMMIO, clock: GenericTimer, timeout: Capabilities.Duration, usesInterrupts: Bool) {
        self.transport = transport
        self.clock = clock
        self.timeout = timeout
        self.usesInterrupts = usesInterrupts
    }

    mutating func notify() { transport.notify(queue: VirtioBlock.requestQueue) }

    mutating func begin() {
        deadline = clock.now().advanced(by: timeout)
        // Something must end `wfi` if the device never answers.
        if usesInterrupts { clock.setWakeUp(at: deadline) }
    }

    mutating func wait(until isComplete: () -> Bool) -> Bool {
        if usesInterrupts {
            // As `Idle.waitForInterrupt`, but the ring is looked at with IRQs masked, so a
            // completion interrupt between the look and `wfi` still ends the sleep (it stays
            // pending, ARM ARM B1.8.10), and the caller's mask state is restored.
            let saved = arm_save_and_disable_interrupts()
            if !InterruptHandlers.somethingHappened && !isComplete() { arm_wait_for_interrupt() }
            if InterruptHandlers.somethingHappened { sawInterrupt = true }
            InterruptHandlers.somethingHappened = false
            arm_restore_interrupts(saved)
        } else {
            // The barrier's memory clobber makes the next look read the used index afresh.
            ARMBarrier.full()
        }
        return clock.now() < deadline
    }

    /// After an operation: the timer disarmed (the event loop arms its own deadline before it
    /// sleeps) and any interrupt this waiter swallowed reported to the loop.
    mutating func finish() {
        if usesInterrupts { clock.setWakeUp(at: nil) }
        if sawInterrupt {
            InterruptHandlers.somethingHappened = true
            sawInterrupt = false
        }
    }
}

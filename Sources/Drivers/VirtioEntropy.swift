/// virtio-rng (virtio v1.1 §5.4) as an `Entropy` source: a few pool buffers kept with the device, refilled as they are read.
import ARMBoot
import Capabilities
import Virtio

public struct VirtioEntropy: Entropy {
    public let transport: VirtioMMIO
    private var queue: EntropyQueue<ARMBarrier>
    /// Times `fill` gave up waiting for the device and used the counter instead.
    public private(set) var shortfalls = 0

    /// Initialises the device behind `transport`: no device features (§5.4.3), VERSION_1 on a
    /// modern transport, one request queue of `bufferCount` buffers of `bufferSize` bytes.
    public init?(transport: VirtioMMIO, bufferCount: Int = 4, bufferSize: Int = 64) {
        guard transport.deviceIdentifier == VirtioDeviceType.entropy.rawValue else { return nil }
        self.transport = transport
        transport.begin()
        guard transport.negotiate(wanted: .version1) != nil,
              let layout = transport.queueLayout(0, preferred: bufferCount) else {
            transport.fail()
            return nil
        }
        let requests = transport.setUpQueue(0, layout: layout)
        // Read on demand by polling, never waited for with `wfi`: no interrupts wanted.
        requests.suppressInterrupts(true)
        queue = EntropyQueue(queue: requests, bufferCount: bufferCount, bufferSize: bufferSize)
        let notify = queue.start()
        transport.finish()
        if notify { transport.notify(queue: 0) }
    }

    /// Copies what the device has already delivered, without waiting; returns the count.
    public mutating func take(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        let (count, notify) = queue.take(into: buffer)
        if notify { transport.notify(queue: 0) }
        return count
    }

    /// Whether delivered bytes are waiting.
    public var hasBytes: Bool { queue.hasBytes }

    public mutating func next() -> UInt64 {
        var value: UInt64 = 0
        withUnsafeMutableBytes(of: &value) { fill($0) }
        return value
    }

    /// Fills `buffer` from the device, polling for up to 100 ms for each refill. Should the
    /// device not answer, the rest is timer-counter jitter (counted in `shortfalls`), never a
    /// constant.
    public mutating func fill(_ buffer: UnsafeMutableRawBufferPointer) {
        var filled = 0
        let patience = UInt64(arm_read_cntfrq()) / 10
        while filled < buffer.count {
            filled += take(into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]))
            guard filled < buffer.count else { return }
            let start = arm_read_cntvct()
            // The barrier's memory clobber also makes each pass read the used index afresh.
            while !queue.hasBytes && arm_read_cntvct() &- start < patience { ARMBarrier.full() }
            if !queue.hasBytes {
                shortfalls += 1
                for index in filled..<buffer.count { buffer[index] = UInt8(truncatingIfNeeded: arm_read_cntvct()) }
                return
            }
        }
    }

    /// Bytes handed out so far.
    public var bytesTaken: Int { queue.bytesTaken }
}

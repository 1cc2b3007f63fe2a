/// virtio-net (virtio v1.1 §5.1) as a `NetworkInterface`: one receive and one transmit queue over fixed pools, interrupt-driven receive.
import Capabilities
import Platform
import Virtio

public struct VirtioNet: NetworkInterface {
    /// Queue indices (§5.1.2).
    static let receiveQueue: UInt32 = 0
    static let transmitQueue: UInt32 = 1
    /// Configuration space (§5.1.4): mac[6] at 0, status u16 at 6 (bit 0: link up).
    static let macOffset: UInt = 0
    static let statusOffset: UInt = 6
    static let wantedFeatures: VirtioFeatures = .networkMAC | .networkStatus | .anyLayout | .version1
    /// Resets after broken rings before the driver gives the device up for good.
    static let restartLimit = 8

    public let transport: VirtioMMIO
    public let macAddress: MACAddress
    public var maximumTransmissionUnit: Int { NetworkQueues<ARMBarrier>.maximumTransmissionUnit }
    public let features: VirtioFeatures
    private var queues: NetworkQueues<ARMBarrier>
    /// Device resets after it broke the ring protocol.
    public private(set) var restarts = 0

    /// Initialises the device behind `transport` (§3.1.1, §5.1.5): negotiates MAC and STATUS
    /// (and VERSION_1 on a modern transport, ANY_LAYOUT on a legacy one), sets up both
    /// queues with up to the given number of pool buffers, fills the receive queue, and sets
    /// DRIVER_OK. Without a MAC feature the device gets `fallbackAddress`. nil when the
    /// device refuses the features or lacks a queue.
    public init?(transport: VirtioMMIO, receiveBuffers: Int, transmitBuffers: Int, fallbackAddress: MACAddress) {
        guard transport.deviceIdentifier == VirtioDeviceType.network.rawValue else { return nil }
        self.transport = transport
        transport.begin()
        guard let accepted = transport.negotiate(wanted: Self.wantedFeatures) else { return nil }
        features = accepted
        guard let receiveLayout = transport.queueLayout(Self.receiveQueue, preferred: receiveBuffers),
              let transmitLayout = transport.queueLayout(Self.transmitQueue, preferred: transmitBuffers) else {
            transport.fail()
            return nil
        }
        let receive = transport.setUpQueue(Self.receiveQueue, layout: receiveLayout)
        let transmit = transport.setUpQueue(Self.transmitQueue, layout: transmitLayout)
        queues = NetworkQueues(receive: receive, transmit: transmit, features: accepted,
                               receiveBuffers: receiveBuffers, transmitBuffers: transmitBuffers)
        if accepted.contains(.networkMAC) {
            var bytes: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0, 0, 0)
            withUnsafeMutableBytes(of: &bytes) { transport.readConfiguration(offset: Self.macOffset, into: $0) }
            macAddress = MACAddress(bytes.0, bytes.1, bytes.2, bytes.3, bytes.4, bytes.5)
        } else {
            macAddress = fallbackAddress
        }
        let notify = queues.start()
        transport.finish()
        // The driver must not notify before DRIVER_OK (§3.1.1).
        if notify { transport.notify(queue: Self.receiveQueue) }
    }

    public mutating func receive<Result>(_ body: (UnsafeRawBufferPointer) -> Result) -> Result? {
        if queues.isBroken { restart() }
        let (result, notify) = queues.receive(body)
        if notify { transport.notify(queue: Self.receiveQueue) }
        return result
    }

    public mutating func transmit(length: Int, _ fill: (UnsafeMutableRawBufferPointer) -> Void) -> Bool {
        if queues.isBroken { restart() }
        let (sent, notify) = queues.transmit(length: length, fill)
        if notify { transport.notify(queue: Self.transmitQueue) }
        return sent
    }

    /// A device whose used index ran more than a ring ahead can no longer be matched to our
    /// buffers: reset it (§2.1.2), which makes it forget both queues, renegotiate the same
    /// features and give it the same queue memory and pools, fresh (§3.1.1). Frames in
    /// flight are lost; TCP retransmits. After `restartLimit` resets the device stays off.
    private mutating func restart() {
        guard restarts < Self.restartLimit else { return }
        restarts += 1
        transport.begin()
        queues.reset()
        guard transport.negotiate(wanted: Self.wantedFeatures) == features else {
            transport.fail()
            restarts = Self.restartLimit
            return
        }
        transport.install(queues.receiveQueue, at: Self.receiveQueue)
        transport.install(queues.transmitQueue, at: Self.transmitQueue)
        let notify = queues.start()
        transport.finish()
        if notify { transport.notify(queue: Self.receiveQueue) }
    }

    /// Whether the device reports the link up; true when it has no status field (§5.1.4).
    public var isLinkUp: Bool {
        guard features.contains(.networkStatus) else { return true }
        var status: UInt16 = 0
        withUnsafeMutableBytes(of: &status) { transport.readConfiguration(offset: Self.statusOffset, into: $0) }
        return UInt16(littleEndian: status) & 1 != 0
    }

    /// Frames through the queues and what the device got wrong.
    public var counters: NetworkQueueCounters { queues.counters }
    public var receiveQueueCounters: VirtqueueCounters { queues.receiveQueue.counters }
    public var transmitQueueCounters: VirtqueueCounters { queues.transmitQueue.counters }
    /// The device broke the ring protocol more often than `restartLimit` (or says it needs a reset).
    public var isBroken: Bool { (queues.isBroken && restarts >= Self.restartLimit) || transport.needsReset }
    public var headerLength: Int { queues.headerLength }
    /// Whether each frame's header has a descriptor of its own (legacy without ANY_LAYOUT).
    public var separatesHeader: Bool { queues.separatesHeader }
}

/// The virtio-mmio transport (virtio v1.1 §4.2): probing a slot, the initialisation handshake, queue setup for version 1 (legacy) and 2 (modern).
import ARMBoot
import Platform
import Virtio

/// A data synchronisation barrier: ring writes reach the point of coherency before the
/// index that publishes them, and before the MMIO write that notifies (§2.6.13.3).
public enum ARMBarrier: MemoryBarrier {
    @inline(__always)
    public static func full() { arm_data_synchronization_barrier() }
}

public struct VirtioMMIO {
    public let base: UInt
    /// 1 for the legacy interface (§4.2.4), 2 for the modern one.
    public let version: UInt32
    public let deviceIdentifier: UInt32

    // Registers (§4.2.2, legacy layout in §4.2.4).
    private var magic: Register32 { Register32(base + 0x000) }
    private var versionRegister: Register32 { Register32(base + 0x004) }
    private var deviceIdentifierRegister: Register32 { Register32(base + 0x008) }
    private var deviceFeatures: Register32 { Register32(base + 0x010) }
    private var deviceFeaturesSelect: Register32 { Register32(base + 0x014) }
    private var driverFeatures: Register32 { Register32(base + 0x020) }
    private var driverFeaturesSelect: Register32 { Register32(base + 0x024) }
    private var guestPageSize: Register32 { Register32(base + 0x028) }      // legacy
    private var queueSelect: Register32 { Register32(base + 0x030) }
    private var queueSizeMaximum: Register32 { Register32(base + 0x034) }
    private var queueSize: Register32 { Register32(base + 0x038) }
    private var queueAlign: Register32 { Register32(base + 0x03c) }         // legacy
    private var queuePageNumber: Register32 { Register32(base + 0x040) }    // legacy
    private var queueReady: Register32 { Register32(base + 0x044) }         // modern
    private var queueNotify: Register32 { Register32(base + 0x050) }
    private var interruptStatus: Register32 { Register32(base + 0x060) }
    private var interruptAcknowledge: Register32 { Register32(base + 0x064) }
    private var status: Register32 { Register32(base + 0x070) }
    private var queueDescriptorLow: Register32 { Register32(base + 0x080) }
    private var queueDescriptorHigh: Register32 { Register32(base + 0x084) }
    private var queueDriverLow: Register32 { Register32(base + 0x090) }
    private var queueDriverHigh: Register32 { Register32(base + 0x094) }
    private var queueDeviceLow: Register32 { Register32(base + 0x0a0) }
    private var queueDeviceHigh: Register32 { Register32(base + 0x0a4) }
    private var configurationGeneration: Register32 { Register32(base + 0x0fc) }
    /// The device-specific configuration space starts at 0x100 in both versions.
    static let configurationOffset: UInt = 0x100

    /// "virt" in little-endian ASCII.
    static let magicValue: UInt32 = 0x7472_6976

    /// The transport at `base`, or nil when the slot holds no device (device id 0, §4.2.3.1.1
    /// "a placeholder") or is not virtio-mmio version 1 or 2.
    public init?(base: UInt) {
        self.base = base
        guard Register32(base).read() == Self.magicValue else { return nil }
        version = Register32(base + 0x004).read()
        deviceIdentifier = Register32(base + 0x008).read()
        guard version == 1 || version == 2, deviceIdentifier != 0 else { return nil }
    }

    public var isLegacy: Bool { version == 1 }

    /// Resets the device and acknowledges it (§3.1.1 steps 1–3).
    public func begin() {
        status.write(VirtioDeviceStatus.reset.rawValue)
        // The reset is done when Status reads 0 again (§2.1.2, §4.2.3.1); QEMU's is immediate.
        var reads = 0
        while status.read() != 0 && reads < 1_000_000 { reads += 1 }
        status.write(VirtioDeviceStatus.acknowledge.rawValue)
        status.write((VirtioDeviceStatus.acknowledge | .driver).rawValue)
        // Legacy: queues are placed by page number in units of this size (§4.2.4).
        if isLegacy { guestPageSize.write(UInt32(VirtqueueLayout.legacyAlignment)) }
    }

    /// Reads the offered features, writes back what both sides accept and, on a modern
    /// device, confirms FEATURES_OK (§3.1.1 steps 4–6; legacy has no FEATURES_OK, §3.1.2).
    /// A modern transport requires VERSION_1. Returns the accepted set, or nil (then the
    /// device is marked FAILED).
    public func negotiate(wanted: VirtioFeatures) -> VirtioFeatures? {
        deviceFeaturesSelect.write(0)
        var offered = UInt64(deviceFeatures.read())
        deviceFeaturesSelect.write(1)
        offered |= UInt64(deviceFeatures.read()) << 32
        let required: VirtioFeatures = isLegacy ? .none : .version1
        guard let accepted = VirtioFeatures.negotiate(offered: VirtioFeatures(rawValue: offered), wanted: wanted,
                                                      required: required) else {
            fail()
            return nil
        }
        driverFeaturesSelect.write(0)
        driverFeatures.write(accepted.word(0))
        driverFeaturesSelect.write(1)
        driverFeatures.write(accepted.word(1))
        if !isLegacy {
            status.write((VirtioDeviceStatus.acknowledge | .driver | .featuresOK).rawValue)
            guard VirtioDeviceStatus(rawValue: status.read()).contains(.featuresOK) else {
                fail()
                return nil
            }
        }
        return accepted
    }

    /// The size to use for queue `index`: the largest power of two up to `preferred` the
    /// device allows, or nil when the queue does not exist or is already live (§4.2.3.2).
    public func queueLayout(_ index: UInt32, preferred: Int) -> VirtqueueLayout? {
        queueSelect.write(index)
        if !isLegacy && queueReady.read() != 0 { return nil }
        if isLegacy && queuePageNumber.read() != 0 { return nil }
        guard let size = VirtqueueLayout.size(fittingDeviceLimit: Int(queueSizeMaximum.read()), preferred: preferred) else {
            return nil
        }
        return VirtqueueLayout(size: size)
    }

    /// Allocates and zeroes the block for `layout`, tells the device where it is, and makes
    /// the queue live (§4.2.3.2; legacy: QueueAlign and QueuePFN, §4.2.4).
    public func setUpQueue(_ index: UInt32, layout: VirtqueueLayout) -> SplitVirtqueue<ARMBarrier> {
        let memory = UnsafeMutableRawPointer.allocate(byteCount: layout.totalSize, alignment: VirtqueueLayout.legacyAlignment)
        let queue = SplitVirtqueue<ARMBarrier>(layout: layout, memory: memory)
        install(queue, at: index)
        return queue
    }

    /// Tells the device where `queue`'s block is and makes it live: at set-up, and again
    /// after a reset with the same block.
    public func install(_ queue: SplitVirtqueue<ARMBarrier>, at index: UInt32) {
        let layout = queue.layout
        ARMBarrier.full()
        let address = physicalAddress(of: queue.memory)
        queueSelect.write(index)
        queueSize.write(UInt32(layout.size))
        if isLegacy {
            queueAlign.write(UInt32(VirtqueueLayout.legacyAlignment))
            queuePageNumber.write(UInt32(truncatingIfNeeded: address / UInt64(VirtqueueLayout.legacyAlignment)))
        } else {
            let driverArea = address + UInt64(layout.availableRingOffset)
            let deviceArea = address + UInt64(layout.usedRingOffset)
            queueDescriptorLow.write(UInt32(truncatingIfNeeded: address))
            queueDescriptorHigh.write(UInt32(truncatingIfNeeded: address >> 32))
            queueDriverLow.write(UInt32(truncatingIfNeeded: driverArea))
            queueDriverHigh.write(UInt32(truncatingIfNeeded: driverArea >> 32))
            queueDeviceLow.write(UInt32(truncatingIfNeeded: deviceArea))
            queueDeviceHigh.write(UInt32(truncatingIfNeeded: deviceArea >> 32))
            queueReady.write(1)
        }
    }

    /// Sets DRIVER_OK: the device may now use its queues (§3.1.1 step 8).
    public func finish() {
        let current = VirtioDeviceStatus(rawValue: status.read())
        status.write((current | .driverOK).rawValue)
    }

    /// Gives up on the device (§2.1: FAILED).
    public func fail() {
        let current = VirtioDeviceStatus(rawValue: status.read())
        status.write((current | .failed).rawValue)
    }

    /// Whether the device reported an unrecoverable error (§2.1.2).
    public var needsReset: Bool { VirtioDeviceStatus(rawValue: status.read()).contains(.deviceNeedsReset) }

    /// Tells the device queue `index` has new buffers (§4.2.3.3). The ring writes were
    /// ordered before this by `publish()`'s barrier.
    @inline(__always)
    public func notify(queue index: UInt32) { queueNotify.write(index) }

    /// Reads and acknowledges the interrupt causes (bit 0: used buffer, bit 1: configuration
    /// change; §4.2.3.4), which lowers the interrupt line.
    @discardableResult
    public func acknowledgeInterrupt() -> UInt32 {
        let causes = interruptStatus.read()
        if causes != 0 { interruptAcknowledge.write(causes) }
        return causes
    }

    /// A byte of the device-specific configuration space (byte-wide access is allowed for
    /// every field, §4.2.2, and is the only width a legacy device's layout guarantees).
    public func configurationByte(_ offset: UInt) -> UInt8 {
        Register8(base + Self.configurationOffset + offset).read()
    }

    /// Reads `count` configuration bytes consistently: on a modern device, again until
    /// the configuration generation did not change in between (§2.4.1).
    public func readConfiguration(offset: UInt, into bytes: UnsafeMutableRawBufferPointer) {
        while true {
            let before = isLegacy ? 0 : configurationGeneration.read()
            for index in 0..<bytes.count { bytes[index] = configurationByte(offset + UInt(index)) }
            if isLegacy || configurationGeneration.read() == before { return }
        }
    }
}

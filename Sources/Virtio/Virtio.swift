/// Virtio's device-independent vocabulary: device types, status bits, and the module's no-trap contract.
///
/// This module is the portable half of the virtio drivers (OASIS virtio v1.1): the split
/// virtqueue (§2.6), feature bits (§2.2, §6), the virtio-net header (§5.1.6) and the queue
/// logic of the network and entropy devices. It never touches MMIO: it reads and writes the
/// queue memory and pool buffers it is handed, so the host tests drive it against a device
/// simulated in ordinary memory.
///
/// No-trap contract: everything the device writes (used-ring ids, lengths, the used index)
/// is checked before use. A value out of range is counted in `VirtqueueCounters` and the
/// entry dropped; a used index that runs ahead of what was offered marks the queue broken.
/// Nothing the device does makes this module trap or touch memory outside the queue and
/// the buffers it offered.

/// Device ids read from the transport (§5).
public enum VirtioDeviceType: UInt32 {
    case network = 1
    case block = 2
    case console = 3
    case entropy = 4
}

/// The device status field (§2.1): the driver's progress through initialisation (§3.1.1).
public struct VirtioDeviceStatus: Equatable {
    public var rawValue: UInt32

    @inline(__always)
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let reset = VirtioDeviceStatus(rawValue: 0)
    public static let acknowledge = VirtioDeviceStatus(rawValue: 1)
    public static let driver = VirtioDeviceStatus(rawValue: 2)
    public static let driverOK = VirtioDeviceStatus(rawValue: 4)
    public static let featuresOK = VirtioDeviceStatus(rawValue: 8)
    public static let deviceNeedsReset = VirtioDeviceStatus(rawValue: 64)
    public static let failed = VirtioDeviceStatus(rawValue: 128)

    public func contains(_ other: VirtioDeviceStatus) -> Bool { rawValue & other.rawValue == other.rawValue }

    public static func | (left: VirtioDeviceStatus, right: VirtioDeviceStatus) -> VirtioDeviceStatus {
        VirtioDeviceStatus(rawValue: left.rawValue | right.rawValue)
    }
}

/// Orders the driver's writes to shared memory against the device's view of them.
///
/// The target drivers use a data synchronisation barrier; the host tests, whose simulated
/// device runs on the same thread, use `NoBarrier`. Generic, so the choice costs nothing.
public protocol MemoryBarrier {
    /// Every memory access before completes before any after it (§2.6.13.3, §2.6.14).
    static func full()
}

/// For a device simulated on the same thread: program order is enough.
public enum NoBarrier: MemoryBarrier {
    @inline(__always)
    public static func full() {}
}

/// The guest-physical address of a buffer. Seal's boards map memory one to one, so the
/// address a driver computes with is the one the device reads.
@inline(__always)
public func physicalAddress(of pointer: UnsafeRawPointer) -> UInt64 {
    UInt64(UInt(bitPattern: pointer))
}

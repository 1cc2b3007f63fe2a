/// Feature bits (§2.2, §5.1.3, §6) and the negotiation rule: the driver accepts only what the device offers and it understands.

/// A 64-bit set of feature bits; the transport exchanges it 32 bits at a time.
public struct VirtioFeatures: Equatable {
    public var rawValue: UInt64

    @inline(__always)
    public init(rawValue: UInt64) { self.rawValue = rawValue }

    /// The set holding bit `bit`.
    @inline(__always)
    public init(bit: Int) { rawValue = 1 << UInt64(bit) }

    public static let none = VirtioFeatures(rawValue: 0)

    // virtio-net (§5.1.3).
    /// The device has a MAC address in its configuration space.
    public static let networkMAC = VirtioFeatures(bit: 5)
    /// The device can merge receive buffers; its header then carries `num_buffers`.
    public static let networkMergeableReceiveBuffers = VirtioFeatures(bit: 15)
    /// The configuration space has a link-status field.
    public static let networkStatus = VirtioFeatures(bit: 16)

    // Reserved, device-independent bits (§6).
    /// Legacy only: the device accepts any split of header and data into descriptors (§2.6.4.3).
    public static let anyLayout = VirtioFeatures(bit: 27)
    public static let indirectDescriptors = VirtioFeatures(bit: 28)
    public static let ringEventIndex = VirtioFeatures(bit: 29)
    /// The device conforms to virtio 1.0 or later: a modern (non-legacy) interface (§6).
    public static let version1 = VirtioFeatures(bit: 32)

    public func contains(_ other: VirtioFeatures) -> Bool { rawValue & other.rawValue == other.rawValue }

    public static func | (left: VirtioFeatures, right: VirtioFeatures) -> VirtioFeatures {
        VirtioFeatures(rawValue: left.rawValue | right.rawValue)
    }

    public static func & (left: VirtioFeatures, right: VirtioFeatures) -> VirtioFeatures {
        VirtioFeatures(rawValue: left.rawValue & right.rawValue)
    }

    /// The low or high 32 bits (the transport's FeaturesSel 0 and 1).
    public func word(_ select: Int) -> UInt32 {
        UInt32(truncatingIfNeeded: select == 0 ? rawValue : rawValue >> 32)
    }

    /// What the driver writes back: the features both sides know (§2.2: the driver MUST NOT
    /// accept a feature the device did not offer). Returns nil when a required feature is
    /// missing; a modern transport requires VERSION_1 (§6: a device offering it, a driver
    /// accepting it; a legacy transport never offers it, §4.2.4).
    public static func negotiate(offered: VirtioFeatures, wanted: VirtioFeatures,
                                 required: VirtioFeatures) -> VirtioFeatures? {
        let accepted = offered & (wanted | required)
        guard accepted.contains(required) else { return nil }
        return accepted
    }
}

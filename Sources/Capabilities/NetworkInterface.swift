/// The network-device capability: a MAC, an MTU, and frames lent in and out of pool buffers.

/// A 48-bit IEEE 802 MAC address, kept in the low 48 bits of one integer (first byte highest).
public struct MACAddress: Hashable, Sendable {
    public var rawValue: UInt64

    @inline(__always)
    public init(rawValue: UInt64) { self.rawValue = rawValue & 0xFFFF_FFFF_FFFF }

    public init(_ b0: UInt8, _ b1: UInt8, _ b2: UInt8, _ b3: UInt8, _ b4: UInt8, _ b5: UInt8) {
        let high = UInt64(b0) << 40 | UInt64(b1) << 32 | UInt64(b2) << 24
        self.init(rawValue: high | UInt64(b3) << 16 | UInt64(b4) << 8 | UInt64(b5))
    }

    /// Reads six bytes at `offset`; the caller has checked the length.
    public init(bytes: UnsafeRawBufferPointer, at offset: Int) {
        var value: UInt64 = 0
        for index in offset..<offset + 6 { value = value << 8 | UInt64(bytes[index]) }
        self.init(rawValue: value)
    }

    /// Writes six bytes at `offset`; the caller has checked the length.
    public func write(to bytes: UnsafeMutableRawBufferPointer, at offset: Int) {
        for index in 0..<6 { bytes[offset + index] = self[index] }
    }

    /// The address's byte at `index` (0 is the first on the wire).
    public subscript(index: Int) -> UInt8 { UInt8(truncatingIfNeeded: rawValue >> UInt64(40 - 8 * index)) }

    public static let broadcast = MACAddress(rawValue: 0xFFFF_FFFF_FFFF)
    public static let zero = MACAddress(rawValue: 0)

    public var isBroadcast: Bool { rawValue == 0xFFFF_FFFF_FFFF }
    /// The group bit (IEEE 802-2014 8.2): the least significant bit of the first byte.
    public var isMulticast: Bool { self[0] & 1 != 0 }
}

/// A network device, shaped like smoltcp's `phy::Device`: it lends the caller a buffer from
/// its own pool for each frame instead of copying or allocating.
///
/// Frames are whole Ethernet II frames without the FCS. Wrappers (tracers, fault injectors)
/// conform too and wrap any device, so the stack never knows what it drives.
public protocol NetworkInterface {
    /// The address the device receives unicast frames for and sends frames from.
    var macAddress: MACAddress { get }
    /// The largest Ethernet payload (IP packet) the device sends and accepts, usually 1500.
    var maximumTransmissionUnit: Int { get }
    /// Lends the next received frame to `body` and returns its result, or returns nil at once
    /// when no frame is waiting. The buffer is only valid inside `body`.
    mutating func receive<Result>(_ body: (UnsafeRawBufferPointer) -> Result) -> Result?
    /// Lends a transmit buffer of exactly `length` bytes to `fill`, then sends it. Returns
    /// false, without calling `fill`, when the device has no free buffer or `length` exceeds
    /// the MTU plus the 14-byte Ethernet header.
    mutating func transmit(length: Int, _ fill: (UnsafeMutableRawBufferPointer) -> Void) -> Bool
    /// The most bytes a peer should send in one burst before the device drops frames (a
    /// receive FIFO with no ring behind it), or nil when the device buffers enough for any
    /// window. The stack caps every TCP receive window at it.
    var receiveBurstLimit: Int? { get }
}

extension NetworkInterface {
    public var receiveBurstLimit: Int? { nil }
}

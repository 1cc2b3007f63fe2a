/// Where a split virtqueue's three parts lie in one contiguous, page-aligned block (§2.6, legacy §2.6.2).
///
/// ```
/// offset 0                      descriptor table  size × 16   { address u64, length u32, flags u16, next u16 }
/// 16 × size                     available ring    6 + 2 × size { flags u16, index u16, ring[size] u16, used_event u16 }
/// align(…, 4096)                used ring         6 + 8 × size { flags u16, index u16, ring[size] { id u32, length u32 }, avail_event u16 }
/// align(…, 4096)                end
/// ```
///
/// Every field is little-endian (§2.4; the legacy interface uses the guest's order, which is
/// little-endian on every Seal board). The legacy MMIO transport knows only the block's page
/// number and finds the used ring at the next QueueAlign (4096) boundary (§4.2.4); a modern
/// transport is given the three addresses, and this layout meets its alignments (16, 2, 4).
/// Queue sizes are powers of two (§2.6), so indices wrap with the 16-bit counters.
public struct VirtqueueLayout: Equatable {
    /// The number of descriptors and ring slots.
    public let size: Int

    /// The legacy transport's QueueAlign and GuestPageSize.
    public static let legacyAlignment = 4096
    /// The largest split queue (§2.6: Queue Size ≤ 32768).
    public static let maximumSize = 32768

    static let descriptorLength = 16
    static let usedElementLength = 8

    /// nil unless `size` is a power of two from 1 to 32768.
    public init?(size: Int) {
        guard size >= 1, size <= Self.maximumSize, size & (size - 1) == 0 else { return nil }
        self.size = size
    }

    /// The largest power of two not above `limit` and `maximum`: the size to ask a device
    /// for whose QueueNumMax is `limit`. nil when `limit` is 0 (no such queue).
    public static func size(fittingDeviceLimit limit: Int, preferred maximum: Int) -> Int? {
        var size = 1
        let bound = min(limit, maximum, Self.maximumSize)
        guard bound >= 1 else { return nil }
        while size * 2 <= bound { size *= 2 }
        return size
    }

    public var descriptorTableOffset: Int { 0 }
    public var availableRingOffset: Int { Self.descriptorLength * size }
    public var usedRingOffset: Int { Self.aligned(availableRingOffset + 6 + 2 * size) }
    /// The bytes to allocate (page-aligned, zeroed).
    public var totalSize: Int { Self.aligned(usedRingOffset + 6 + Self.usedElementLength * size) }

    // Field offsets inside the block.
    func descriptorOffset(_ index: Int) -> Int { Self.descriptorLength * index }
    var availableFlagsOffset: Int { availableRingOffset }
    var availableIndexOffset: Int { availableRingOffset + 2 }
    func availableSlotOffset(_ slot: Int) -> Int { availableRingOffset + 4 + 2 * slot }
    var usedFlagsOffset: Int { usedRingOffset }
    var usedIndexOffset: Int { usedRingOffset + 2 }
    func usedElementOffset(_ slot: Int) -> Int { usedRingOffset + 4 + Self.usedElementLength * slot }

    /// The ring slot a free-running 16-bit index names.
    @inline(__always)
    func slot(_ index: UInt16) -> Int { Int(index) & (size - 1) }

    static func aligned(_ offset: Int) -> Int {
        (offset + legacyAlignment - 1) & ~(legacyAlignment - 1)
    }
}

/// Descriptor flags (§2.6.5).
enum DescriptorFlags {
    static let next: UInt16 = 1
    static let write: UInt16 = 2
}

/// Ring flags: the driver's interrupt hint in the available ring (§2.6.6), the device's
/// notification hint in the used ring (§2.6.8); both only advisory without EVENT_IDX.
enum RingFlags {
    static let noInterrupt: UInt16 = 1
    static let noNotify: UInt16 = 1
}

extension UnsafeMutableRawPointer {
    @inline(__always)
    func littleEndian16(at offset: Int) -> UInt16 { UInt16(littleEndian: load(fromByteOffset: offset, as: UInt16.self)) }
    @inline(__always)
    func littleEndian32(at offset: Int) -> UInt32 { UInt32(littleEndian: load(fromByteOffset: offset, as: UInt32.self)) }
    @inline(__always)
    func storeLittleEndian(_ value: UInt16, at offset: Int) { storeBytes(of: value.littleEndian, toByteOffset: offset, as: UInt16.self) }
    @inline(__always)
    func storeLittleEndian(_ value: UInt32, at offset: Int) { storeBytes(of: value.littleEndian, toByteOffset: offset, as: UInt32.self) }
    @inline(__always)
    func storeLittleEndian(_ value: UInt64, at offset: Int) { storeBytes(of: value.littleEndian, toByteOffset: offset, as: UInt64.self) }
}

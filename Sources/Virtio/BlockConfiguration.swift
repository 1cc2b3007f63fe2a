/// virtio-blk's configuration space (virtio 1.2 §5.2.4): capacity, segment limits and block size, checked before use.
///
/// ```
/// 0   capacity  le64   in 512-byte sectors, always present
/// 8   size_max  le32   with SIZE_MAX: the largest single data segment
/// 12  seg_max   le32   with SEG_MAX: the most data segments in a request
/// 16  geometry  4 bytes (unused here)
/// 20  blk_size  le32   with BLK_SIZE: the device's block size
/// ```
/// A field whose feature was not negotiated is ignored (§5.2.4: the device need not fill it).
public struct BlockConfiguration: Equatable {
    /// The bytes to read: up to and including `blk_size`.
    public static let length = 24

    /// 512-byte sectors.
    public var capacity: UInt64
    public var maximumSegmentSize: UInt32?
    public var maximumSegments: UInt32?
    public var blockSize: UInt32?

    public init(capacity: UInt64, maximumSegmentSize: UInt32? = nil, maximumSegments: UInt32? = nil, blockSize: UInt32? = nil) {
        self.capacity = capacity
        self.maximumSegmentSize = maximumSegmentSize
        self.maximumSegments = maximumSegments
        self.blockSize = blockSize
    }

    /// Reads the fields the negotiated `features` make valid; nil when `bytes` is shorter than `length`.
    public init?(parsing bytes: UnsafeRawBufferPointer, features: VirtioFeatures) {
        guard bytes.count >= Self.length else { return nil }
        func word(_ offset: Int) -> UInt32 {
            var value: UInt32 = 0
            for index in 0..<4 { value |= UInt32(bytes[offset + index]) << UInt32(8 * index) }
            return value
        }
        capacity = UInt64(word(0)) | UInt64(word(4)) << 32
        maximumSegmentSize = features.contains(.blockMaximumSegmentSize) ? word(8) : nil
        maximumSegments = features.contains(.blockMaximumSegments) ? word(12) : nil
        blockSize = features.contains(.blockSize) ? word(20) : nil
    }

    /// The sector size the driver presents: `blk_size` when it is a power of two from 512 to
    /// 4096 (what `BlockDevice` allows), else 512. Requests still address 512-byte units
    /// (§5.2.6.1), so any block size the device reports can be served this way.
    public var sectorSize: Int {
        guard let size = blockSize, size >= 512, size <= 4096, size & (size - 1) == 0 else { return 512 }
        return Int(size)
    }

    /// Whole `sectorSize` sectors in the capacity (a partial last block is not addressable).
    public var sectorCount: UInt64 { capacity / UInt64(sectorSize / BlockRequestHeader.sectorUnit) }

    /// The data bytes one request carries: at most `preferred` and `size_max` (each request
    /// has one data segment, so `seg_max` ≥ 1 never limits it), rounded down to whole
    /// sectors, and never less than one sector (a device whose `size_max` is below its own
    /// sector size contradicts itself; one sector is the least a request can move).
    public func transferLimit(preferred: Int) -> Int {
        var limit = max(preferred, sectorSize)
        if let segment = maximumSegmentSize, UInt64(segment) < UInt64(limit) { limit = Int(segment) }
        return max(sectorSize, limit / sectorSize * sectorSize)
    }
}

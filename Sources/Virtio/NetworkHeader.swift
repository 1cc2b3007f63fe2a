/// The virtio-net header that precedes every frame (§5.1.6): 10 bytes on a legacy device without mergeable buffers, 12 otherwise.
///
/// ```
/// 0  flags u8          1 = NEEDS_CSUM, 2 = DATA_VALID
/// 1  gso_type u8       0 = none
/// 2  hdr_len u16
/// 4  gso_size u16
/// 6  csum_start u16
/// 8  csum_offset u16
/// 10 num_buffers u16   only with VERSION_1 or MRG_RXBUF (§5.1.6, legacy §5.1.6.1)
/// ```
/// Seal negotiates no checksum or segmentation offload, so it sends an all-zero header and
/// ignores the fields of a received one (they describe offloads it never accepted).
public struct NetworkHeader: Equatable {
    public var flags: UInt8 = 0
    public var segmentationType: UInt8 = 0
    public var headerLength: UInt16 = 0
    public var segmentSize: UInt16 = 0
    public var checksumStart: UInt16 = 0
    public var checksumOffset: UInt16 = 0
    public var bufferCount: UInt16 = 0

    public init() {}

    /// The header's length for the negotiated features.
    public static func length(features: VirtioFeatures) -> Int {
        features.contains(.version1) || features.contains(.networkMergeableReceiveBuffers) ? 12 : 10
    }

    /// Reads a header of `length` (10 or 12) bytes; nil when the buffer is shorter.
    public init?(parsing bytes: UnsafeRawBufferPointer, length: Int) {
        guard length == 10 || length == 12, bytes.count >= length else { return nil }
        func field(_ offset: Int) -> UInt16 { UInt16(bytes[offset]) | UInt16(bytes[offset + 1]) << 8 }
        flags = bytes[0]
        segmentationType = bytes[1]
        headerLength = field(2)
        segmentSize = field(4)
        checksumStart = field(6)
        checksumOffset = field(8)
        bufferCount = length == 12 ? field(10) : 0
    }

    /// Writes the header's `length` bytes at the start of `bytes` (which is long enough).
    public func emit(into bytes: UnsafeMutableRawBufferPointer, length: Int) {
        func store(_ value: UInt16, _ offset: Int) {
            bytes[offset] = UInt8(truncatingIfNeeded: value)
            bytes[offset + 1] = UInt8(truncatingIfNeeded: value >> 8)
        }
        bytes[0] = flags
        bytes[1] = segmentationType
        store(headerLength, 2)
        store(segmentSize, 4)
        store(checksumStart, 6)
        store(checksumOffset, 8)
        if length == 12 { store(bufferCount, 10) }
    }
}

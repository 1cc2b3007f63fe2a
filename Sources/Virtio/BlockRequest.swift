/// virtio-blk's wire vocabulary (virtio 1.2 §5.2.3, §5.2.6): feature bits, the 16-byte request header, request types and the status byte.
///
/// A request is one descriptor chain (§5.2.6):
/// ```
/// header   16 bytes, device-readable   type le32 | reserved le32 | sector le64
/// data     n bytes                     device-writable for IN and GET_ID, readable for OUT, absent for FLUSH
/// status   1 byte, device-writable     OK = 0, IOERR = 1, UNSUPP = 2
/// ```
/// `sector` always counts 512-byte units, whatever `blk_size` says (§5.2.6.1).

extension VirtioFeatures {
    // virtio-blk (§5.2.3).
    /// The largest single data segment is in `size_max`.
    public static let blockMaximumSegmentSize = VirtioFeatures(bit: 1)
    /// The most data segments in one request is in `seg_max`.
    public static let blockMaximumSegments = VirtioFeatures(bit: 2)
    /// The device is read-only: OUT requests fail.
    public static let blockReadOnly = VirtioFeatures(bit: 5)
    /// The device's block size is in `blk_size`.
    public static let blockSize = VirtioFeatures(bit: 6)
    /// The device has a write cache that FLUSH requests commit (legacy name: WCE).
    public static let blockFlush = VirtioFeatures(bit: 9)
}

/// What a request asks for (§5.2.6: VIRTIO_BLK_T_*).
public enum BlockRequestType: UInt32 {
    /// Read sectors into the data buffer (VIRTIO_BLK_T_IN).
    case read = 0
    /// Write the data buffer to sectors (VIRTIO_BLK_T_OUT).
    case write = 1
    /// Commit every completed write to stable storage (VIRTIO_BLK_T_FLUSH).
    case flush = 4
    /// The device's identifier: 20 bytes, zero-padded (VIRTIO_BLK_T_GET_ID).
    case getIdentifier = 8
}

/// The status byte the device writes last (§5.2.6: VIRTIO_BLK_S_*).
public enum BlockStatus: UInt8 {
    case ok = 0
    case ioError = 1
    case unsupported = 2
}

/// The header at the start of every request (§5.2.6: struct virtio_blk_req's first three fields).
public struct BlockRequestHeader: Equatable {
    public static let length = 16
    /// The device sector unit, whatever the device's block size (§5.2.6.1).
    public static let sectorUnit = 512
    /// The identifier GET_ID returns (§5.2.6: VIRTIO_BLK_ID_BYTES).
    public static let identifierLength = 20

    public var type: UInt32
    public var sector: UInt64

    public init(type: BlockRequestType, sector: UInt64) {
        self.type = type.rawValue
        self.sector = sector
    }

    /// Reads a header (any type value, known or not); nil when fewer than 16 bytes.
    public init?(parsing bytes: UnsafeRawBufferPointer) {
        guard bytes.count >= Self.length else { return nil }
        var type: UInt32 = 0
        for index in 0..<4 { type |= UInt32(bytes[index]) << UInt32(8 * index) }
        var sector: UInt64 = 0
        for index in 0..<8 { sector |= UInt64(bytes[8 + index]) << UInt64(8 * index) }
        self.type = type
        self.sector = sector
    }

    /// Writes the 16 bytes (the reserved word as 0) at the start of `bytes`, which is long enough.
    public func emit(into bytes: UnsafeMutableRawBufferPointer) {
        for index in 0..<4 { bytes[index] = UInt8(truncatingIfNeeded: type >> UInt32(8 * index)) }
        for index in 4..<8 { bytes[index] = 0 }
        for index in 0..<8 { bytes[8 + index] = UInt8(truncatingIfNeeded: sector >> UInt64(8 * index)) }
    }
}

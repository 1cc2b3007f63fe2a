/// The block-device capability: fixed-size sectors read, written and flushed, with typed errors.

/// Why a block operation failed. Drivers map every device status to one of these; a caller
/// never sees a trap for a bad request or a misbehaving device.
public enum BlockError: Error, Equatable, Sendable {
    /// The request reaches past the last sector.
    case outOfRange
    /// The buffer is not a whole number of sectors (or is empty).
    case misaligned
    /// A write or flush to a read-only device.
    case readOnly
    /// The device reported an I/O error for this request.
    case deviceError
    /// The device returned something impossible (a bad length, status or ring index).
    case protocolViolation
    /// The device did not complete in time.
    case timeout
    /// The request is valid but this device cannot do it (for example flush without cache control).
    case unsupported
}

/// A disk, a partition of one, or a file standing in for one. Sector `0..<sectorCount` each hold
/// `sectorSize` bytes (a power of two, 512 to 4096).
///
/// Completion is poll-driven and synchronous to the caller: a driver submits the request, then
/// polls its completion queue and idles (`wfi`) until the device answers or the request times
/// out. There is no `async`. After `flush` returns, every write that returned before it is
/// durable (virtio-blk `VIRTIO_BLK_T_FLUSH`, `fsync(2)` on the host).
///
/// Class-bound so one disk can be shared by the partitions and file systems built on it.
public protocol BlockDevice: AnyObject {
    var sectorSize: Int { get }
    var sectorCount: UInt64 { get }
    var isReadOnly: Bool { get }
    /// Reads `buffer.count / sectorSize` sectors starting at `sector`.
    func read(sector: UInt64, into buffer: UnsafeMutableRawBufferPointer) throws(BlockError)
    /// Writes `buffer.count / sectorSize` sectors starting at `sector`.
    func write(sector: UInt64, from buffer: UnsafeRawBufferPointer) throws(BlockError)
    /// Makes every completed write durable.
    func flush() throws(BlockError)
}

extension BlockDevice {
    /// Checks a request's shape against the device: whole sectors, inside the device, writable if
    /// `writing`. Drivers call it first so every one rejects bad requests the same way.
    public func validate(sector: UInt64, byteCount: Int, writing: Bool) throws(BlockError) {
        if writing && isReadOnly { throw .readOnly }
        guard byteCount > 0, byteCount % sectorSize == 0 else { throw .misaligned }
        let count = UInt64(byteCount / sectorSize)
        guard sector < sectorCount, count <= sectorCount - sector else { throw .outOfRange }
    }
}

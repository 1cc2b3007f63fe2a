/// A partition as a block device: a window of sectors of a base device.

import Capabilities

/// Sectors `firstSector..<firstSector + sectorCount` of `base`, seen as sectors `0..<sectorCount`.
/// Requests outside the window are rejected with the same checks every device makes
/// (`validate`), so a file system on a partition can never touch its neighbours.
public final class Partition<Base: BlockDevice>: BlockDevice {
    public let base: Base
    /// Where the window starts on `base`.
    public let firstSector: UInt64
    public let sectorCount: UInt64
    private let readOnlyView: Bool

    /// The window, checked against `base`; `readOnly` makes a read-only view of a writable disk.
    public init(base: Base, firstSector: UInt64, sectorCount: UInt64, readOnly: Bool = false) throws(PartitionError) {
        // validate divides by the sector size: refuse a base that reports a nonsensical one.
        guard base.sectorSize > 0 else { throw .unsupportedSectorSize }
        guard firstSector <= base.sectorCount, sectorCount <= base.sectorCount - firstSector else {
            throw .partitionOutOfRange
        }
        self.base = base
        self.firstSector = firstSector
        self.sectorCount = sectorCount
        readOnlyView = readOnly
    }

    /// The partition `entry` of the table read from `base`.
    public convenience init(_ entry: PartitionEntry, of base: Base, readOnly: Bool = false) throws(PartitionError) {
        try self.init(base: base, firstSector: entry.firstSector, sectorCount: entry.sectorCount, readOnly: readOnly)
    }

    public var sectorSize: Int { base.sectorSize }
    public var isReadOnly: Bool { readOnlyView || base.isReadOnly }

    public func read(sector: UInt64, into buffer: UnsafeMutableRawBufferPointer) throws(BlockError) {
        try validate(sector: sector, byteCount: buffer.count, writing: false)
        // validate put the request inside the window, and init put the window inside `base`.
        try base.read(sector: firstSector + sector, into: buffer)
    }

    public func write(sector: UInt64, from buffer: UnsafeRawBufferPointer) throws(BlockError) {
        try validate(sector: sector, byteCount: buffer.count, writing: true)
        try base.write(sector: firstSector + sector, from: buffer)
    }

    public func flush() throws(BlockError) {
        if readOnlyView { throw .readOnly }
        try base.flush()
    }
}

/// A block device in RAM: the disk of unit tests, fuzzers and simulations.
import Capabilities

public final class MemoryBlockDevice: BlockDevice {
    public let sectorSize: Int
    public let sectorCount: UInt64
    public var isReadOnly: Bool
    /// The whole disk, sector 0 first.
    public var bytes: [UInt8]
    /// Counts of operations served, for tests that check how a layer uses its disk.
    public private(set) var reads = 0
    public private(set) var writes = 0
    public private(set) var flushes = 0

    public init(sectorSize: Int = 512, sectorCount: UInt64, isReadOnly: Bool = false) {
        self.sectorSize = sectorSize
        self.sectorCount = sectorCount
        self.isReadOnly = isReadOnly
        bytes = [UInt8](repeating: 0, count: sectorSize * Int(sectorCount))
    }

    /// A device over existing contents (a disk image); a trailing partial sector is dropped.
    public init(sectorSize: Int = 512, contents: [UInt8], isReadOnly: Bool = false) {
        self.sectorSize = sectorSize
        self.sectorCount = UInt64(contents.count / sectorSize)
        self.isReadOnly = isReadOnly
        bytes = Array(contents[0..<(contents.count / sectorSize) * sectorSize])
    }

    public func read(sector: UInt64, into buffer: UnsafeMutableRawBufferPointer) throws(BlockError) {
        try validate(sector: sector, byteCount: buffer.count, writing: false)
        let start = Int(sector) * sectorSize
        bytes.withUnsafeBytes { disk in
            buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: disk[start..<start + buffer.count]))
        }
        reads += 1
    }

    public func write(sector: UInt64, from buffer: UnsafeRawBufferPointer) throws(BlockError) {
        try validate(sector: sector, byteCount: buffer.count, writing: true)
        let start = Int(sector) * sectorSize
        bytes.withUnsafeMutableBytes { disk in
            UnsafeMutableRawBufferPointer(rebasing: disk[start..<start + buffer.count]).copyMemory(from: buffer)
        }
        writes += 1
    }

    public func flush() throws(BlockError) {
        if isReadOnly { throw .readOnly }
        flushes += 1
    }
}

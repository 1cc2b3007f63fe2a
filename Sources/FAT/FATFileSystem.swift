/// A mounted FAT volume: the device, its layout, and the small caches every operation shares.
import Capabilities

/// A FAT12/16/32 file system on `Device`, starting at its sector 0.
///
/// Memory stays small whatever the volume size: a few cached FAT sectors, one directory sector
/// and one scratch sector. Changes to the FAT stay in the cache until evicted or `sync()`;
/// directory entries and file data go to the device at once. Call `sync()` to make everything
/// durable (it writes the FAT sectors to every FAT copy, FSInfo, then flushes the device).
public final class FATFileSystem<Device: BlockDevice> {
    public let device: Device
    public let layout: FATLayout
    /// The time stamped on entries that are created or written; a fixed date unless set.
    public var timestamp = FATTimestamp.default

    /// Cached FAT sectors (index within one copy); dirty ones are written to every copy.
    var fatCache: [FATCacheSlot]
    var fatCacheVictim = 0
    /// One directory sector, read through and written through.
    var directoryBuffer: [UInt8]
    var directoryBufferSector: UInt64? = nil
    /// One sector for partial-sector file reads and writes.
    var scratch: [UInt8]
    /// Free clusters, when known (FAT32: from FSInfo or counted at mount).
    var freeClusters: UInt32?
    /// Where the next allocation starts looking.
    var nextFreeHint: UInt32 = 2
    var fsInfoDirty = false
    /// The last position found in a chain, so sequential access does not walk from the start.
    var cursor: ChainCursor? = nil

    /// The largest device request, in sectors.
    static var maximumTransferSectors: Int { 256 }
    static var fatCacheSlots: Int { 4 }

    /// Mounts the volume: reads and checks the boot sector; on FAT32 reads FSInfo and counts the
    /// free clusters if FSInfo does not know them.
    public init(device: Device) throws(FATError) {
        self.device = device
        let sectorSize = device.sectorSize
        guard sectorSize >= 512, sectorSize <= 4096 else { throw .invalidBootSector(.unsupportedSectorSize) }
        var boot = [UInt8](repeating: 0, count: sectorSize)
        do {
            try boot.withMutableBytes { buffer throws(BlockError) in try device.read(sector: 0, into: buffer) }
        } catch {
            throw .device(error)
        }
        layout = try FATLayout(bootSector: boot, deviceSectorSize: sectorSize, deviceSectorCount: device.sectorCount)
        fatCache = []
        directoryBuffer = [UInt8](repeating: 0, count: sectorSize)
        scratch = [UInt8](repeating: 0, count: sectorSize)
        if layout.type == .fat32 { try loadFSInfo() }
    }

    public var type: FATType { layout.type }
    public var bytesPerCluster: Int { layout.bytesPerCluster }

    /// The first cluster of the root directory: 0 stands for the fixed root of FAT12/16.
    var rootDirectory: UInt32 { layout.type == .fat32 ? layout.rootCluster : 0 }

    func isRoot(_ directory: UInt32) -> Bool { directory == 0 || directory == rootDirectory }

    // MARK: Device access with error mapping

    func readSectors(_ sector: UInt64, into buffer: UnsafeMutableRawBufferPointer) throws(FATError) {
        do { try device.read(sector: sector, into: buffer) } catch { throw .device(error) }
    }

    func writeSectors(_ sector: UInt64, from buffer: UnsafeRawBufferPointer) throws(FATError) {
        if let cached = directoryBufferSector, cached >= sector,
           cached - sector < UInt64(buffer.count / layout.bytesPerSector) {
            directoryBufferSector = nil
        }
        do { try device.write(sector: sector, from: buffer) } catch { throw .device(error) }
    }

    func readSector(_ sector: UInt64, into bytes: inout [UInt8]) throws(FATError) {
        try bytes.withMutableBytes { buffer throws(FATError) in try readSectors(sector, into: buffer) }
    }

    func writeSector(_ sector: UInt64, from bytes: [UInt8]) throws(FATError) {
        try bytes.withBytes { buffer throws(FATError) in try writeSectors(sector, from: buffer) }
    }

    /// Writes zeros over `count` sectors from `sector`.
    func zeroSectors(_ sector: UInt64, count: Int) throws(FATError) {
        let chunk = Swift.min(count, 16)
        guard chunk > 0 else { return }
        let zeros = [UInt8](repeating: 0, count: chunk * layout.bytesPerSector)
        var done = 0
        while done < count {
            let now = Swift.min(chunk, count - done)
            try zeros.withBytes { buffer throws(FATError) in
                try writeSectors(sector + UInt64(done), from: UnsafeRawBufferPointer(rebasing: buffer[0..<now * layout.bytesPerSector]))
            }
            done += now
        }
    }

    // MARK: Sync

    /// Writes every cached FAT sector to all FAT copies and FSInfo, then flushes the device.
    public func sync() throws(FATError) {
        for index in 0..<fatCache.count where fatCache[index].dirty { try writeBack(slot: index) }
        if fsInfoDirty { try storeFSInfo() }
        if device.isReadOnly { return }
        do {
            try device.flush()
        } catch {
            if error != .unsupported { throw .device(error) }
        }
    }
}

/// A position in a cluster chain: cluster number `index` (0-based) of the chain starting at `first`.
struct ChainCursor {
    var first: UInt32
    var index: UInt32
    var cluster: UInt32
}

/// One cached sector of the FAT.
struct FATCacheSlot {
    var sector: UInt64
    var dirty: Bool
    var bytes: [UInt8]
}

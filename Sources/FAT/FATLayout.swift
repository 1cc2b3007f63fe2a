/// The volume's geometry, parsed and validated from the BPB (Microsoft FAT spec 3.1 to 3.5).

/// Where every region of the volume lies, in sectors from the start of the device.
public struct FATLayout: Equatable, Sendable {
    public let type: FATType
    public let bytesPerSector: Int
    public let sectorsPerCluster: Int
    public let reservedSectors: UInt64
    public let fatCount: Int
    /// Sectors per FAT copy.
    public let fatSize: UInt64
    /// Entries in the fixed root directory (FAT12/16); 0 on FAT32.
    public let rootEntryCount: Int
    public let totalSectors: UInt64
    /// Data clusters, numbered 2 ... clusterCount + 1.
    public let clusterCount: UInt32
    /// FAT32: the root directory's first cluster; 0 on FAT12/16.
    public let rootCluster: UInt32
    /// FAT32: the FSInfo sector, if the BPB names one.
    public let fsInfoSector: UInt64?

    public var rootDirectorySector: UInt64 { reservedSectors + UInt64(fatCount) * fatSize }
    public var rootDirectorySectors: UInt64 {
        UInt64((rootEntryCount * 32 + bytesPerSector - 1) / bytesPerSector)
    }
    public var firstDataSector: UInt64 { rootDirectorySector + rootDirectorySectors }
    public var bytesPerCluster: Int { bytesPerSector * sectorsPerCluster }

    /// The first sector of data cluster `cluster` (2 ... clusterCount + 1).
    func sector(ofCluster cluster: UInt32) -> UInt64 {
        firstDataSector + UInt64(cluster - 2) * UInt64(sectorsPerCluster)
    }

    /// Parses the boot sector `bytes` (one sector) of a volume on a device of `deviceSectorCount`
    /// sectors of `deviceSectorSize` bytes.
    public init(bootSector bytes: [UInt8], deviceSectorSize: Int, deviceSectorCount: UInt64) throws(FATError) {
        guard deviceSectorSize >= 512, deviceSectorSize <= 4096, bytes.count >= 512 else {
            throw .invalidBootSector(.unsupportedSectorSize)
        }
        // Spec 3.1: the signature sits at 510 whatever the sector size.
        guard bytes[510] == 0x55, bytes[511] == 0xAA else { throw .invalidBootSector(.missingSignature) }
        let bytesPerSector = Int(bytes.littleUInt16(at: 11))
        guard bytesPerSector == deviceSectorSize else { throw .invalidBootSector(.sectorSizeMismatch) }
        let sectorsPerCluster = Int(bytes[13])
        guard sectorsPerCluster > 0, sectorsPerCluster & (sectorsPerCluster - 1) == 0 else {
            throw .invalidBootSector(.badSectorsPerCluster)
        }
        let reservedSectors = UInt64(bytes.littleUInt16(at: 14))
        guard reservedSectors > 0 else { throw .invalidBootSector(.badReservedSectorCount) }
        let fatCount = Int(bytes[16])
        guard fatCount > 0 else { throw .invalidBootSector(.badFATCount) }
        let rootEntryCount = Int(bytes.littleUInt16(at: 17))
        let totalSectors16 = UInt64(bytes.littleUInt16(at: 19))
        let totalSectors = totalSectors16 != 0 ? totalSectors16 : UInt64(bytes.littleUInt32(at: 32))
        guard totalSectors > 0, totalSectors <= deviceSectorCount else {
            throw .invalidBootSector(.badTotalSectors)
        }
        let fatSize16 = UInt64(bytes.littleUInt16(at: 22))
        let fatSize = fatSize16 != 0 ? fatSize16 : UInt64(bytes.littleUInt32(at: 36))
        guard fatSize > 0 else { throw .invalidBootSector(.badFATSize) }
        // Spec 3.5: the type follows from the count of data clusters and nothing else.
        let rootDirectorySectors = UInt64((rootEntryCount * 32 + bytesPerSector - 1) / bytesPerSector)
        let metadata = reservedSectors + UInt64(fatCount) * fatSize + rootDirectorySectors
        guard metadata < totalSectors else { throw .invalidBootSector(.badFATSize) }
        let clusters = (totalSectors - metadata) / UInt64(sectorsPerCluster)
        guard clusters > 0 else { throw .invalidBootSector(.noClusters) }
        // FAT32 entries are 28 bits; 0x0FFFFFF5 and up are reserved values.
        let clusterCount = UInt32(Swift.min(clusters, 0x0FFF_FFF4))
        let type = FATType(clusterCount: clusterCount)
        // Every cluster needs an entry inside one FAT copy.
        let entryCapacity = fatSize * UInt64(bytesPerSector) * 2 / type.doubledEntryBytes
        guard entryCapacity >= UInt64(clusterCount) + 2 else { throw .invalidBootSector(.badFATSize) }

        var rootCluster: UInt32 = 0
        var fsInfoSector: UInt64? = nil
        if type == .fat32 {
            guard rootEntryCount == 0, fatSize16 == 0 else { throw .invalidBootSector(.badRootEntryCount) }
            rootCluster = bytes.littleUInt32(at: 44) & 0x0FFF_FFFF
            guard rootCluster >= 2, rootCluster <= clusterCount + 1 else {
                throw .invalidBootSector(.badRootCluster)
            }
            let info = UInt64(bytes.littleUInt16(at: 48))
            if info != 0, info != 0xFFFF, info < reservedSectors { fsInfoSector = info }
        } else {
            guard rootEntryCount > 0 else { throw .invalidBootSector(.badRootEntryCount) }
        }
        self.type = type
        self.bytesPerSector = bytesPerSector
        self.sectorsPerCluster = sectorsPerCluster
        self.reservedSectors = reservedSectors
        self.fatCount = fatCount
        self.fatSize = fatSize
        self.rootEntryCount = rootEntryCount
        self.totalSectors = totalSectors
        self.clusterCount = clusterCount
        self.rootCluster = rootCluster
        self.fsInfoSector = fsInfoSector
    }
}

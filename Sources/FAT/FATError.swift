/// Why a FAT operation failed: one closed enum for bad images, bad requests and device errors.
import Capabilities

/// What is wrong with a boot sector (Microsoft FAT spec 3.1 to 3.5).
public enum FATBootSectorProblem: Equatable, Sendable {
    /// The device's sectors are smaller than 512 bytes or larger than 4096.
    case unsupportedSectorSize
    /// Bytes 510-511 are not 0x55 0xAA.
    case missingSignature
    /// BPB_BytsPerSec differs from the device's sector size.
    case sectorSizeMismatch
    /// BPB_SecPerClus is not a power of two from 1 to 128.
    case badSectorsPerCluster
    /// BPB_RsvdSecCnt is zero.
    case badReservedSectorCount
    /// BPB_NumFATs is zero.
    case badFATCount
    /// BPB_RootEntCnt is wrong for the FAT type.
    case badRootEntryCount
    /// BPB_TotSec16/32 is zero or larger than the device.
    case badTotalSectors
    /// BPB_FATSz16/32 is zero, or too small for the clusters, or the regions overlap.
    case badFATSize
    /// No data clusters.
    case noClusters
    /// BPB_RootClus (FAT32) is not a data cluster.
    case badRootCluster
}

/// A FAT error. `device` wraps the block layer's error unchanged.
public enum FATError: Error, Equatable, Sendable {
    case device(BlockError)
    case invalidBootSector(FATBootSectorProblem)
    /// A FAT entry points outside the data clusters, at a free or bad cluster.
    case clusterOutOfRange
    /// A chain is longer than the volume has clusters.
    case clusterLoop
    /// A chain ends before the file's size says it should.
    case chainTooShort
    /// A directory entry is impossible (a directory without clusters, a bad '..').
    case corruptDirectory
    case notFound
    case alreadyExists
    case notADirectory
    case isADirectory
    case directoryNotEmpty
    /// A name is empty, `.`/`..`, too long, not UTF-8, or holds a character FAT forbids.
    case invalidName
    /// The operation makes no sense for this path (the root, or a directory into itself).
    case invalidOperation
    /// No free cluster left.
    case noSpace
    /// The fixed root directory (FAT12/16) or a directory of 65536 entries is full.
    case directoryFull
    /// FAT files are at most 4 GiB - 1 bytes.
    case fileTooLarge
}

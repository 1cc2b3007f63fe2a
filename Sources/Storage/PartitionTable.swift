/// Finding the partitions of a disk: MBR (with logical partitions), GPT, or none at all.
///
/// On-disk layout read here (sector = the device's logical sector):
/// - Sector 0, bytes 446...509: four 16-byte MBR entries (boot flag, CHS, type, LBA start,
///   sector count, little-endian); 510...511: 0x55 0xAA. Types 0x05/0x0F/0x85 are extended
///   partitions: a chain of EBRs, each laid out like an MBR, whose first entry is a logical
///   partition relative to the EBR and whose second links to the next EBR relative to the
///   extended partition's start. A 0xEE entry is a protective MBR: the disk is GPT.
/// - GPT (UEFI 2.10 5.3): header at LBA 1 ("EFI PART", CRC-32 over HeaderSize bytes), entry
///   array at PartitionEntryLBA (CRC-32 over count × size bytes), entries of 128 × 2^n bytes:
///   type GUID, unique GUID, first and last LBA (inclusive), attributes, 36 UTF-16LE units of
///   name. A copy of the header sits at the last LBA with its own array.
/// - A disk without a table may hold a FAT file system directly: sector 0 is then a FAT boot
///   sector, which also ends in 0x55AA but has a BIOS parameter block and no valid table.
///
/// Contract: any bytes on the disk give a table or a `PartitionError`, never a trap; chains
/// and arrays are bounded by `maximumPartitions` and `maximumEntryArrayBytes`; at most one
/// sector of the disk is held in memory at a time.

import Capabilities

public struct PartitionTable: Hashable, Sendable {
    public enum Kind: Hashable, Sendable {
        /// No partition table (see `wholeDiskIsFAT`).
        case none
        /// An MBR, with the logical partitions of its extended partitions.
        case mbr
        /// A GPT behind a protective (or hybrid) MBR.
        case gpt
    }

    public let kind: Kind
    /// Data partitions in table order: MBR primaries by slot, then logicals; GPT used entries by
    /// index. MBR extended containers are not listed (their logicals are).
    public let partitions: [PartitionEntry]
    /// GPT: the disk GUID; MBR: zero.
    public let diskGUID: GUID
    /// MBR: the 32-bit disk signature at byte 440 (`sfdisk`'s label id); GPT: zero.
    public let diskSignature: UInt32
    /// GPT: whether the primary header or array was corrupt and the backup at the last LBA was used.
    public let usedBackupGPT: Bool
    /// `.none` only: sector 0 is a FAT boot sector, so the whole disk is one FAT volume.
    public let wholeDiskIsFAT: Bool

    /// The most partitions a table may describe (Linux's limit); also bounds the EBR chain.
    public static let maximumPartitions = 256
    /// The largest GPT entry array read (the usual one is 16 KiB: 128 entries of 128 bytes).
    public static let maximumEntryArrayBytes = 1 << 20

    public init(kind: Kind, partitions: [PartitionEntry], diskGUID: GUID = GUID(low: 0, high: 0),
                diskSignature: UInt32 = 0, usedBackupGPT: Bool = false, wholeDiskIsFAT: Bool = false) {
        self.kind = kind
        self.partitions = partitions
        self.diskGUID = diskGUID
        self.diskSignature = diskSignature
        self.usedBackupGPT = usedBackupGPT
        self.wholeDiskIsFAT = wholeDiskIsFAT
    }

    /// Reads the partition table of `device`.
    ///
    /// Sector 0 without 0x55AA, or with boot flags other than 0x00/0x80, is no table (`.none`).
    /// A 0xEE entry means GPT. Otherwise, if sector 0 looks like a FAT boot sector and its table
    /// area holds no partition that fits on the disk, the disk is `.none` with `wholeDiskIsFAT`;
    /// anything else is an MBR. Partitions that do not fit their disk, extended partition or GPT
    /// usable range are errors (`.partitionOutOfRange`), not skipped.
    public static func read<Device: BlockDevice>(from device: Device) throws(PartitionError) -> PartitionTable {
        let sector = try SectorBuffer(sectorSize: device.sectorSize)
        if device.sectorCount == 0 { return PartitionTable(kind: .none, partitions: []) }
        try sector.read(sector: 0, from: device)
        guard sector.hasBootSignature else { return PartitionTable(kind: .none, partitions: []) }
        let looksLikeFAT = sector.looksLikeFATBootSector
        guard MasterBootRecord.hasValidBootIndicators(sector) else {
            return PartitionTable(kind: .none, partitions: [], wholeDiskIsFAT: looksLikeFAT)
        }
        if MasterBootRecord.isProtective(sector) {
            let table = try GUIDPartitionTable.read(device, sector: sector)
            return PartitionTable(kind: .gpt, partitions: table.partitions, diskGUID: table.header.diskGUID,
                                  usedBackupGPT: table.usedBackup)
        }
        let signature = sector.uint32(at: MasterBootRecord.diskSignatureOffset)
        let partitions: [PartitionEntry]
        do {
            partitions = try MasterBootRecord.partitions(sector: sector, device: device)
        } catch {
            // A FAT boot sector's table area is not a table: its "entries" need not fit.
            if looksLikeFAT && !isDeviceError(error) {
                return PartitionTable(kind: .none, partitions: [], wholeDiskIsFAT: true)
            }
            throw error
        }
        if looksLikeFAT && partitions.isEmpty {
            return PartitionTable(kind: .none, partitions: [], wholeDiskIsFAT: true)
        }
        return PartitionTable(kind: .mbr, partitions: partitions, diskSignature: signature)
    }

    private static func isDeviceError(_ error: PartitionError) -> Bool {
        if case .device = error { return true }
        return false
    }

    /// The first partition whose type holds FAT (`PartitionType.isFAT`), in table order.
    public var firstFATEntry: PartitionEntry? {
        for entry in partitions where entry.type.isFAT { return entry }
        return nil
    }

    /// The FAT volume of `device` as a block device: its first FAT-typed partition, or the whole
    /// disk when it has no table and sector 0 is a FAT boot sector; nil when there is neither.
    /// This is what a board hands to the FAT library.
    public static func firstFATPartition<Device: BlockDevice>(of device: Device, readOnly: Bool = false) throws(PartitionError)
        -> Partition<Device>? {
        let table = try read(from: device)
        if let entry = table.firstFATEntry { return try Partition(entry, of: device, readOnly: readOnly) }
        if table.wholeDiskIsFAT {
            return try Partition(base: device, firstSector: 0, sectorCount: device.sectorCount, readOnly: readOnly)
        }
        return nil
    }
}

/// One partition as a table describes it: where it lies, its type and its name.

/// A partition found by `PartitionTable.read(from:)`. Open it with `Partition(entry, of: disk)`.
public struct PartitionEntry: Hashable, Sendable {
    /// The Linux-style number: MBR primaries 1...4 by slot, logical partitions from 5 in chain
    /// order; GPT entry index + 1 (so `sfdisk` shows it as `disk<number>`).
    public let number: Int
    /// The first sector, counted from the start of the disk.
    public let firstSector: UInt64
    /// The number of sectors (at least 1).
    public let sectorCount: UInt64
    public let type: PartitionType
    /// GPT only: the partition's unique GUID (zero for MBR partitions).
    public let uniqueGUID: GUID
    /// GPT only: the attribute bits (UEFI 2.10 table 5-7). MBR: 0x80 bit 7 boot flag as bit 2
    /// ("legacy BIOS bootable"), so a caller can test either table the same way.
    public let attributes: UInt64
    /// GPT only: the name, UTF-16LE, up to its first zero code unit (empty for MBR).
    public let name: [UInt8]

    public init(number: Int, firstSector: UInt64, sectorCount: UInt64, type: PartitionType,
                uniqueGUID: GUID = GUID(low: 0, high: 0), attributes: UInt64 = 0, name: [UInt8] = []) {
        self.number = number
        self.firstSector = firstSector
        self.sectorCount = sectorCount
        self.type = type
        self.uniqueGUID = uniqueGUID
        self.attributes = attributes
        self.name = name
    }

    /// Bit 2 of GPT attributes, "legacy BIOS bootable" (UEFI 2.10 5.3.3).
    public static let legacyBootableAttribute: UInt64 = 1 << 2
}

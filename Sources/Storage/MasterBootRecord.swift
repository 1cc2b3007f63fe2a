/// The MBR's four primary entries (sector 0, offsets 446...509, signature 0x55AA at 510).

import Capabilities

/// One 16-byte MBR or EBR entry: boot flag, CHS (ignored), type, LBA start and count.
struct MasterBootRecordEntry {
    let bootIndicator: UInt8
    let type: UInt8
    /// Relative to the record's base (sector 0 for the MBR; see `ExtendedPartitionChain`).
    let relativeStart: UInt64
    let sectorCount: UInt64

    /// Entry `slot` (0...3) of the record in `sector`.
    init(_ sector: SectorBuffer, slot: Int) {
        let offset = MasterBootRecord.tableOffset + 16 * slot
        bootIndicator = sector[offset]
        type = sector[offset + 4]
        relativeStart = UInt64(sector.uint32(at: offset + 8))
        sectorCount = UInt64(sector.uint32(at: offset + 12))
    }

    /// An entry with type 0 or no sectors describes nothing.
    var isEmpty: Bool { type == 0 || sectorCount == 0 }
    var isExtended: Bool { !isEmpty && PartitionType.isExtended(type) }
    /// The boot flag as the GPT attribute bit with the same meaning.
    var attributes: UInt64 { bootIndicator == 0x80 ? PartitionEntry.legacyBootableAttribute : 0 }
}

/// What sector 0 holds, decided from its bytes alone.
enum MasterBootRecord {
    static let tableOffset = 446
    static let diskSignatureOffset = 440

    /// Whether the four boot indicators are 0x00 or 0x80, as a partition table's are (a FAT
    /// boot sector, which also ends in 0x55AA, usually has code or text there instead).
    static func hasValidBootIndicators(_ sector: SectorBuffer) -> Bool {
        for slot in 0..<4 {
            let flag = MasterBootRecordEntry(sector, slot: slot).bootIndicator
            if flag != 0 && flag != 0x80 { return false }
        }
        return true
    }

    /// Whether a non-empty entry has type 0xEE: a protective MBR in front of a GPT (UEFI 2.10 5.2.3).
    static func isProtective(_ sector: SectorBuffer) -> Bool {
        for slot in 0..<4 {
            let entry = MasterBootRecordEntry(sector, slot: slot)
            if !entry.isEmpty && entry.type == PartitionType.protectiveGPT { return true }
        }
        return false
    }

    /// The primary partitions of the MBR in `sector` (extended containers excluded) followed by
    /// the logical partitions of every extended partition, numbered as Linux numbers them.
    static func partitions<Device: BlockDevice>(sector: SectorBuffer, device: Device) throws(PartitionError) -> [PartitionEntry] {
        var primaries: [MasterBootRecordEntry] = []
        for slot in 0..<4 { primaries.append(MasterBootRecordEntry(sector, slot: slot)) }
        var result: [PartitionEntry] = []
        for (slot, entry) in primaries.enumerated() where !entry.isEmpty {
            // Sector 0 is the MBR itself; every partition lies after it and inside the disk.
            guard entry.relativeStart >= 1, entry.relativeStart <= device.sectorCount,
                  entry.sectorCount <= device.sectorCount - entry.relativeStart else { throw .partitionOutOfRange }
            if !entry.isExtended {
                result.append(PartitionEntry(number: slot + 1, firstSector: entry.relativeStart,
                                             sectorCount: entry.sectorCount, type: .mbr(entry.type),
                                             attributes: entry.attributes))
            }
        }
        // The chain walk reuses `sector`, so the primaries were copied out first.
        var chain = ExtendedPartitionChain(sector: sector, nextNumber: 5)
        for entry in primaries where entry.isExtended {
            try chain.walk(start: entry.relativeStart, count: entry.sectorCount, device: device, into: &result)
        }
        return result
    }
}

/// The logical partitions of an extended partition: a linked list of extended boot records.

import Capabilities

/// Walks the EBR chain of one or more extended partitions. Each EBR holds a data entry whose
/// start is relative to the EBR itself and a link entry whose start is relative to the extended
/// partition's first sector (the de facto layout that fdisk, sfdisk and Linux use). Every walk
/// is bounded: a record visited twice is a loop, and the total number of partitions is capped.
struct ExtendedPartitionChain {
    let sector: SectorBuffer
    /// The number the next logical partition gets (Linux numbers them from 5).
    var nextNumber: Int
    /// Every EBR read so far, to detect loops.
    private var visited: [UInt64] = []

    init(sector: SectorBuffer, nextNumber: Int) {
        self.sector = sector
        self.nextNumber = nextNumber
    }

    /// Appends the logical partitions of the extended partition `start..<start + count` (already
    /// checked to lie on the disk). An EBR without the 0x55AA signature ends the chain, as in Linux.
    mutating func walk<Device: BlockDevice>(start: UInt64, count: UInt64, device: Device,
                                            into result: inout [PartitionEntry]) throws(PartitionError) {
        let end = start + count
        var record = start
        while true {
            guard record >= start, record < end else { throw .partitionOutOfRange }
            if visited.contains(record) { throw .extendedChainLoop }
            guard visited.count < PartitionTable.maximumPartitions else { throw .extendedChainTooLong }
            visited.append(record)
            try sector.read(sector: record, from: device)
            guard sector.hasBootSignature else { return }
            var link: UInt64? = nil
            for slot in 0..<4 {
                let entry = MasterBootRecordEntry(sector, slot: slot)
                if entry.isEmpty { continue }
                if entry.isExtended {
                    // The first link wins; relative to the extended partition's start.
                    if link == nil { link = start + entry.relativeStart }
                    continue
                }
                // A logical partition lies after its EBR and inside the extended partition.
                let first = record + entry.relativeStart
                guard entry.relativeStart >= 1, first < end, entry.sectorCount <= end - first else {
                    throw .partitionOutOfRange
                }
                guard result.count < PartitionTable.maximumPartitions else { throw .tooManyPartitions }
                result.append(PartitionEntry(number: nextNumber, firstSector: first, sectorCount: entry.sectorCount,
                                             type: .mbr(entry.type), attributes: entry.attributes))
                nextNumber += 1
            }
            guard let next = link else { return }
            record = next
        }
    }
}

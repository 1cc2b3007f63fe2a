/// Reading a GPT (UEFI 2.10 5.3): the primary header at LBA 1, else the backup at the last LBA.

import Capabilities
import Digest

enum GUIDPartitionTable {
    /// The partitions of the GPT on `device` and its header, from the primary header and array
    /// if both check out, else from the backup header at the last LBA and its own array (UEFI
    /// 2.10 5.3.2: "If the primary GPT is corrupt, software must check the last LBA"). When both
    /// fail, the primary's error is thrown.
    static func read<Device: BlockDevice>(_ device: Device, sector: SectorBuffer) throws(PartitionError)
        -> (header: GPTHeader, partitions: [PartitionEntry], usedBackup: Bool) {
        // A protective MBR on a disk too small for a header is not a device failure.
        guard device.sectorCount >= 2 else { throw .invalidGPTHeader }
        let primaryError: PartitionError
        do {
            let header = try readHeader(device, sector: sector, lba: 1)
            return (header, try readEntries(device, sector: sector, header: header), false)
        } catch {
            // A disk that cannot be read is not a corrupt table: do not hide the device's error.
            if case .device = error { throw error }
            primaryError = error
        }
        let last = device.sectorCount - 1
        guard last > 1 else { throw primaryError }
        do {
            let header = try readHeader(device, sector: sector, lba: last)
            return (header, try readEntries(device, sector: sector, header: header), true)
        } catch {
            if case .device = error { throw error }
            throw primaryError
        }
    }

    static func readHeader<Device: BlockDevice>(_ device: Device, sector: SectorBuffer, lba: UInt64) throws(PartitionError) -> GPTHeader {
        try sector.read(sector: lba, from: device)
        return try GPTHeader(sector, lba: lba, sectorCount: device.sectorCount)
    }

    /// Checks the entry array's CRC-32 in a first pass, one sector at a time, then reads the used
    /// entries (non-zero type GUID) in a second. Entries are 128 × 2^n bytes and sectors a power
    /// of two, so an entry's first 128 bytes never straddle two sectors.
    static func readEntries<Device: BlockDevice>(_ device: Device, sector: SectorBuffer, header: GPTHeader) throws(PartitionError) -> [PartitionEntry] {
        let sectorSize = sector.count
        let total = header.entryArrayBytes
        var crc = CRC32()
        var done = 0
        var lba = header.entryArrayLBA
        while done < total {
            try sector.read(sector: lba, from: device)
            let length = min(sectorSize, total - done)
            crc.update(sector.slice(0..<length))
            done += length
            lba += 1
        }
        guard crc.value == header.entryArrayChecksum else { throw .gptEntryArrayChecksum }

        var result: [PartitionEntry] = []
        var loaded: UInt64? = nil
        for index in 0..<Int(header.entryCount) {
            let offset = index * header.entrySize
            let entrySector = header.entryArrayLBA + UInt64(offset / sectorSize)
            if loaded != entrySector {
                try sector.read(sector: entrySector, from: device)
                loaded = entrySector
            }
            let at = offset % sectorSize
            let type = sector.guid(at: at)
            if type.isZero { continue }
            // UEFI 2.10 5.3.3: StartingLBA <= EndingLBA, both inside the usable range.
            let first = sector.uint64(at: at + 32)
            let last = sector.uint64(at: at + 40)
            guard first <= last, first >= header.firstUsableLBA, last <= header.lastUsableLBA else {
                throw .partitionOutOfRange
            }
            guard result.count < PartitionTable.maximumPartitions else { throw .tooManyPartitions }
            result.append(PartitionEntry(number: index + 1, firstSector: first, sectorCount: last - first + 1,
                                         type: .gpt(type), uniqueGUID: sector.guid(at: at + 16),
                                         attributes: sector.uint64(at: at + 48), name: name(sector, at: at + 56)))
        }
        return result
    }

    /// The 72-byte UTF-16LE name up to its first zero code unit (UEFI 2.10 5.3.3: null-terminated).
    static func name(_ sector: SectorBuffer, at offset: Int) -> [UInt8] {
        var length = 0
        while length < 72 && (sector[offset + length] != 0 || sector[offset + length + 1] != 0) { length += 2 }
        var bytes = [UInt8](repeating: 0, count: length)
        for index in 0..<length { bytes[index] = sector[offset + index] }
        return bytes
    }
}

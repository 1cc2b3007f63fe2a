/// The GPT header (UEFI 2.10 5.3.2): parsed from one sector and checked before it is trusted.

import Digest

/// A GPT header that passed every check of UEFI 2.10 5.3.2 except the entry array's CRC-32,
/// which `GUIDPartitionTable` verifies while reading the array.
struct GPTHeader {
    let myLBA: UInt64
    let firstUsableLBA: UInt64
    let lastUsableLBA: UInt64
    let diskGUID: GUID
    let entryArrayLBA: UInt64
    let entryCount: UInt32
    /// 128 × 2^n bytes, at most 64 KiB.
    let entrySize: Int
    let entryArrayChecksum: UInt32

    private enum Field {
        static let signature = 0
        static let revision = 8
        static let headerSize = 12
        static let headerChecksum = 16
        static let myLBA = 24
        static let firstUsableLBA = 40
        static let lastUsableLBA = 48
        static let diskGUID = 56
        static let entryArrayLBA = 72
        static let entryCount = 80
        static let entrySize = 84
        static let entryArrayChecksum = 88
        static let end = 92
    }

    /// "EFI PART" read as a little-endian integer.
    static let signature: UInt64 = 0x5452_4150_2049_4645
    static let largestEntrySize = 65536

    /// The header in `sector`, read from `lba` of a disk of `sectorCount` sectors. Checks, in
    /// order: signature, revision 1.x, 92 <= HeaderSize <= sector size, HeaderCRC32 (computed
    /// with the field zeroed), MyLBA, the usable range inside the disk, the entry size, and the
    /// entry array's size and place on the disk.
    init(_ sector: SectorBuffer, lba: UInt64, sectorCount: UInt64) throws(PartitionError) {
        guard sector.uint64(at: Field.signature) == GPTHeader.signature,
              sector.uint32(at: Field.revision) >> 16 == 1 else { throw .invalidGPTHeader }
        // Compared as UInt32 first: on a 32-bit target Int(UInt32) would trap above 2^31.
        let rawHeaderSize = sector.uint32(at: Field.headerSize)
        guard rawHeaderSize >= UInt32(Field.end), rawHeaderSize <= UInt32(sector.count) else { throw .invalidGPTHeader }
        let headerSize = Int(rawHeaderSize)
        var crc = CRC32()
        crc.update(sector.slice(0..<Field.headerChecksum))
        let zero: UInt32 = 0
        withUnsafeBytes(of: zero) { crc.update($0) }
        crc.update(sector.slice(Field.headerChecksum + 4..<headerSize))
        guard crc.value == sector.uint32(at: Field.headerChecksum) else { throw .gptHeaderChecksum }

        myLBA = sector.uint64(at: Field.myLBA)
        firstUsableLBA = sector.uint64(at: Field.firstUsableLBA)
        lastUsableLBA = sector.uint64(at: Field.lastUsableLBA)
        guard myLBA == lba, firstUsableLBA >= 2, firstUsableLBA <= lastUsableLBA, lastUsableLBA < sectorCount else {
            throw .invalidGPTHeader
        }
        diskGUID = sector.guid(at: Field.diskGUID)

        let size = sector.uint32(at: Field.entrySize)
        guard size >= 128, size <= GPTHeader.largestEntrySize, size & (size - 1) == 0 else {
            throw .unsupportedGPTEntrySize
        }
        entrySize = Int(size)
        entryCount = sector.uint32(at: Field.entryCount)
        // At most 2^32 entries of 2^16 bytes: the product fits in 64 bits.
        let arrayBytes = UInt64(entryCount) * UInt64(entrySize)
        guard arrayBytes <= UInt64(PartitionTable.maximumEntryArrayBytes) else { throw .gptEntryArrayTooLarge }
        entryArrayLBA = sector.uint64(at: Field.entryArrayLBA)
        let arraySectors = (arrayBytes + UInt64(sector.count) - 1) / UInt64(sector.count)
        guard entryArrayLBA >= 1, entryArrayLBA < sectorCount, arraySectors <= sectorCount - entryArrayLBA else {
            throw .gptEntryArrayOutOfRange
        }
        entryArrayChecksum = sector.uint32(at: Field.entryArrayChecksum)
    }

    /// The entry array's length in bytes (checked to be at most `maximumEntryArrayBytes`).
    var entryArrayBytes: Int { Int(entryCount) * entrySize }
}

// Damaged and hostile partition tables: each gets its typed error, and nothing traps or loops.
import Testing
import Capabilities
import Storage

/// A device that answers every read with an error, or reports a nonsensical sector size.
final class BrokenDevice: BlockDevice {
    let sectorSize: Int
    let sectorCount: UInt64 = 100
    let isReadOnly = true
    init(sectorSize: Int = 512) { self.sectorSize = sectorSize }
    func read(sector: UInt64, into buffer: UnsafeMutableRawBufferPointer) throws(BlockError) { throw .deviceError }
    func write(sector: UInt64, from buffer: UnsafeRawBufferPointer) throws(BlockError) { throw .readOnly }
    func flush() throws(BlockError) { throw .readOnly }
}

@Suite struct PartitionTableHostileTests {
    func read(_ disk: HandmadeDisk) throws(PartitionError) -> PartitionTable {
        try PartitionTable.read(from: disk.device())
    }

    // MARK: No table

    @Test func blankAndEmptyDisksHaveNoTable() throws {
        #expect(try read(HandmadeDisk(sectorCount: 4)).kind == .none)
        #expect(try PartitionTable.read(from: MemoryBlockDevice(sectorCount: 0)).kind == .none)
        #expect(try PartitionTable.firstFATPartition(of: MemoryBlockDevice(sectorCount: 8)) == nil)
        // A signed sector whose boot flags are not 0x00/0x80 is neither MBR nor FAT.
        var disk = HandmadeDisk(sectorCount: 4)
        disk.setRecordEntry(sector: 0, slot: 1, type: 0x0C, start: 1, count: 2, boot: 0x12)
        let table = try read(disk)
        #expect(table.kind == .none && !table.wholeDiskIsFAT)
    }

    @Test func deviceFailuresAreReported() {
        #expect(throws: PartitionError.device(.deviceError)) { try PartitionTable.read(from: BrokenDevice()) }
        #expect(throws: PartitionError.unsupportedSectorSize) { try PartitionTable.read(from: BrokenDevice(sectorSize: 100)) }
        #expect(throws: PartitionError.unsupportedSectorSize) { try PartitionTable.read(from: BrokenDevice(sectorSize: 0)) }
        #expect(throws: PartitionError.unsupportedSectorSize) { try Partition(base: BrokenDevice(sectorSize: 0), firstSector: 0, sectorCount: 1) }
    }

    // MARK: FAT boot sector or MBR

    /// A FAT16 boot sector as mkfs.fat writes one, on a disk of `sectorCount` sectors.
    func fatBootSector(sectorCount: Int) -> HandmadeDisk {
        var disk = HandmadeDisk(sectorCount: sectorCount)
        disk.bytes.replaceSubrange(0..<3, with: [0xEB, 0x3C, 0x90])
        disk.set(512, at: 11, width: 2)
        disk.bytes[13] = 4
        disk.set(4, at: 14, width: 2)
        disk.bytes[16] = 2
        disk.set(512, at: 17, width: 2)
        disk.set(UInt64(sectorCount), at: 19, width: 2)
        disk.bytes[21] = 0xF8
        disk.sign(sector: 0)
        return disk
    }

    @Test func fatBootSectorIsTheWholeDisk() throws {
        var disk = fatBootSector(sectorCount: 64)
        #expect(try read(disk).wholeDiskIsFAT)
        // Boot code over the table area: boot flags are text, still FAT.
        for index in 446..<510 { disk.bytes[index] = 0x41 }
        #expect(try read(disk).wholeDiskIsFAT)
        // Table-looking bytes that do not fit the disk: still FAT, not an error.
        disk = fatBootSector(sectorCount: 64)
        disk.setRecordEntry(sector: 0, slot: 0, type: 0x0C, start: 0x4000_0000, count: 5)
        #expect(try read(disk).wholeDiskIsFAT)
        let volume = try #require(try PartitionTable.firstFATPartition(of: disk.device(), readOnly: true))
        #expect(volume.firstSector == 0 && volume.sectorCount == 64 && volume.isReadOnly)
    }

    @Test func bootLoaderWithJumpAndPlausibleTableIsAnMBR() throws {
        // Like a GRUB MBR: a jump instruction and BPB-like bytes, and a real table.
        var disk = fatBootSector(sectorCount: 64)
        disk.setRecordEntry(sector: 0, slot: 0, type: 0x0C, start: 8, count: 40, boot: 0x80)
        let table = try read(disk)
        #expect(table.kind == .mbr && !table.wholeDiskIsFAT)
        #expect(table.partitions.map(\.firstSector) == [8])
        // Without the BPB, a bad entry is an error rather than a FAT volume.
        var plain = HandmadeDisk(sectorCount: 64)
        plain.setRecordEntry(sector: 0, slot: 0, type: 0x0C, start: 8, count: 400)
        #expect(throws: PartitionError.partitionOutOfRange) { try read(plain) }
    }

    // MARK: MBR

    @Test func primariesMustFitTheDisk() throws {
        for (start, count) in [(0, 4), (60, 5), (64, 1), (UInt32.max, UInt32.max)] as [(UInt32, UInt32)] {
            var disk = HandmadeDisk(sectorCount: 64)
            disk.setRecordEntry(sector: 0, slot: 2, type: 0x83, start: start, count: count)
            #expect(throws: PartitionError.partitionOutOfRange) { try read(disk) }
        }
        var fits = HandmadeDisk(sectorCount: 64)
        fits.setRecordEntry(sector: 0, slot: 2, type: 0x83, start: 60, count: 4)
        fits.setRecordEntry(sector: 0, slot: 3, type: 0x00, start: 900, count: 4)   // empty: ignored
        fits.setRecordEntry(sector: 0, slot: 0, type: 0x83, start: 900, count: 0)   // empty: ignored
        #expect(try read(fits).partitions.map(\.number) == [3])
    }

    /// An MBR with an extended partition over sectors 8..<64 whose EBRs are written by the test.
    func extendedDisk() -> HandmadeDisk {
        var disk = HandmadeDisk(sectorCount: 64)
        disk.setRecordEntry(sector: 0, slot: 0, type: 0x05, start: 8, count: 56)
        return disk
    }

    @Test func logicalPartitionsFollowTheChain() throws {
        var disk = extendedDisk()
        disk.setRecordEntry(sector: 8, slot: 0, type: 0x83, start: 2, count: 10)
        disk.setRecordEntry(sector: 8, slot: 1, type: 0x05, start: 20, count: 20)
        disk.setRecordEntry(sector: 28, slot: 0, type: 0x0B, start: 1, count: 5)
        let table = try read(disk)
        #expect(table.partitions == [
            PartitionEntry(number: 5, firstSector: 10, sectorCount: 10, type: .mbr(0x83)),
            PartitionEntry(number: 6, firstSector: 29, sectorCount: 5, type: .mbr(0x0B)),
        ])
        // An EBR without its signature ends the chain.
        disk.bytes[28 * 512 + 510] = 0
        #expect(try read(disk).partitions.count == 1)
    }

    @Test func chainLoopsAreCaught() {
        var disk = extendedDisk()
        disk.setRecordEntry(sector: 8, slot: 0, type: 0x83, start: 1, count: 1)
        disk.setRecordEntry(sector: 8, slot: 1, type: 0x05, start: 0, count: 1)   // links to itself
        #expect(throws: PartitionError.extendedChainLoop) { try read(disk) }
        disk.setRecordEntry(sector: 8, slot: 1, type: 0x0F, start: 10, count: 2)
        disk.setRecordEntry(sector: 18, slot: 1, type: 0x85, start: 0, count: 2)   // back to the first
        #expect(throws: PartitionError.extendedChainLoop) { try read(disk) }
    }

    @Test func chainLengthIsBounded() {
        // 300 EBRs, each linking to the next, with no logical partitions at all.
        var disk = HandmadeDisk(sectorCount: 320)
        disk.setRecordEntry(sector: 0, slot: 0, type: 0x05, start: 8, count: 310)
        for index in 0..<300 { disk.setRecordEntry(sector: 8 + index, slot: 1, type: 0x05, start: UInt32(index + 1), count: 1) }
        #expect(throws: PartitionError.extendedChainTooLong) { try read(disk) }
    }

    @Test func logicalPartitionsStayInsideTheExtendedPartition() {
        var disk = extendedDisk()
        disk.setRecordEntry(sector: 8, slot: 0, type: 0x83, start: 2, count: 60)
        #expect(throws: PartitionError.partitionOutOfRange) { try read(disk) }
        disk.setRecordEntry(sector: 8, slot: 0, type: 0x83, start: 0, count: 1)   // over its own EBR
        #expect(throws: PartitionError.partitionOutOfRange) { try read(disk) }
        disk.setRecordEntry(sector: 8, slot: 0, type: 0x83, start: 1, count: 1)
        disk.setRecordEntry(sector: 8, slot: 1, type: 0x05, start: 56, count: 1)   // link past the end
        #expect(throws: PartitionError.partitionOutOfRange) { try read(disk) }
        disk.setRecordEntry(sector: 8, slot: 1, type: 0x05, start: UInt32.max, count: 1)
        #expect(throws: PartitionError.partitionOutOfRange) { try read(disk) }
    }

    @Test func tooManyLogicalPartitions() {
        // 130 EBRs with two data entries each: 260 partitions.
        var disk = HandmadeDisk(sectorCount: 8 + 130 * 3)
        disk.setRecordEntry(sector: 0, slot: 0, type: 0x05, start: 8, count: 130 * 3)
        for index in 0..<130 {
            let ebr = 8 + 3 * index
            disk.setRecordEntry(sector: ebr, slot: 0, type: 0x83, start: 1, count: 1)
            disk.setRecordEntry(sector: ebr, slot: 2, type: 0x83, start: 2, count: 1)
            if index < 129 { disk.setRecordEntry(sector: ebr, slot: 1, type: 0x05, start: UInt32(3 * index + 3), count: 3) }
        }
        #expect(throws: PartitionError.tooManyPartitions) { try read(disk) }
    }

    // MARK: GPT

    let efi = HandmadeDisk.Entry(type: .efiSystem, first: 6, last: 20, name: "ESP")
    let linux = HandmadeDisk.Entry(type: .linuxFilesystem, first: 21, last: 56, attributes: 1 << 60)

    @Test func handmadeGPT() throws {
        let table = try read(HandmadeDisk.gpt(sectorCount: 64, entries: [linux, efi]))
        #expect(table.kind == .gpt)
        #expect(table.partitions.map(\.number) == [1, 2])
        #expect(table.partitions[0].attributes == 1 << 60)
        #expect(table.partitions[1].name == [0x45, 0, 0x53, 0, 0x50, 0])
        #expect(table.partitions[1].uniqueGUID == GUID(0x1111_2222, 0x3333, 0x4444, 0x5555, 0x6666_7777_8888))
        #expect(table.firstFATEntry?.number == 2)
        #expect(table.diskGUID.canonicalBytes == [0xDE, 0xAD, 0xBE, 0xEF, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])
    }

    @Test func gptOnFourKibibyteSectors() throws {
        var entry = efi
        entry.first = 6     // after 4 sectors of array
        entry.last = 10
        let disk = HandmadeDisk.gpt(sectorCount: 16, sectorSize: 4096, entryCount: 128, entries: [entry])
        let device = disk.device()
        let table = try PartitionTable.read(from: device)
        #expect(table.partitions.map(\.firstSector) == [6])
        let volume = try #require(try PartitionTable.firstFATPartition(of: device))
        #expect(volume.sectorSize == 4096 && volume.sectorCount == 5)
    }

    @Test func largerEntriesAndEntriesSpanningSectors() throws {
        for size in [256, 512, 1024, 4096] {
            // Up to 32 sectors of array at each end of 128 sectors: partitions from 40 to 90.
            var first = efi, second = linux
            (first.first, first.last, second.first, second.last) = (40, 50, 51, 90)
            let table = try read(HandmadeDisk.gpt(sectorCount: 128, entryCount: 4, entrySize: size, entries: [first, second]))
            #expect(table.partitions.map(\.firstSector) == [40, 51])
            #expect(table.partitions.map(\.number) == [1, 2])
        }
    }

    @Test func hostileEntrySizes() {
        for size: UInt64 in [0, 8, 100, 129, 192, 0x2_0000, 0xFFFF_FFFF] {
            var disk = HandmadeDisk.gpt(sectorCount: 64, entries: [efi])
            disk.setHeaderField(lba: 1, field: 84, value: size, width: 4)
            disk.bytes[63 * 512] = 0   // no backup to fall back to
            #expect(throws: PartitionError.unsupportedGPTEntrySize) { try read(disk) }
        }
    }

    @Test func hugeEntryCounts() throws {
        for count: UInt64 in [0xFFFF_FFFF, 8193, 1 << 20] {
            var disk = HandmadeDisk.gpt(sectorCount: 64, entries: [efi])
            disk.setHeaderField(lba: 1, field: 80, value: count, width: 4)
            disk.bytes[63 * 512] = 0
            #expect(throws: PartitionError.gptEntryArrayTooLarge) { try read(disk) }
        }
        // A count that fits the limit but not the disk.
        var disk = HandmadeDisk.gpt(sectorCount: 64, entries: [efi])
        disk.setHeaderField(lba: 1, field: 80, value: 1024, width: 4)
        disk.bytes[63 * 512] = 0
        #expect(throws: PartitionError.gptEntryArrayOutOfRange) { try read(disk) }
        // Zero entries is a valid, empty table.
        disk = HandmadeDisk.gpt(sectorCount: 64, entries: [])
        disk.setHeaderField(lba: 1, field: 80, value: 0, width: 4)
        disk.resealArray(headerLBA: 1)
        #expect(try read(disk).partitions.isEmpty)
    }

    @Test func hostileHeaderFields() {
        let cases: [(field: Int, value: UInt64, width: Int, error: PartitionError)] = [
            (8, 0x0002_0000, 4, .invalidGPTHeader),          // revision 2.0
            (12, 91, 4, .invalidGPTHeader),                  // header too short
            (12, 513, 4, .invalidGPTHeader),                 // header larger than the sector
            (24, 2, 8, .invalidGPTHeader),                   // MyLBA is not where it was read
            (40, 0, 8, .invalidGPTHeader),                   // usable range over the headers
            (40, 62, 8, .invalidGPTHeader),                  // first usable after last usable
            (48, 64, 8, .invalidGPTHeader),                  // last usable past the disk
            (48, .max, 8, .invalidGPTHeader),
            (72, .max, 8, .gptEntryArrayOutOfRange),         // entry array LBA overflows
            (72, 0, 8, .gptEntryArrayOutOfRange),
            (72, 63, 8, .gptEntryArrayOutOfRange),           // array's last sector past the disk (4 × 128 fits; use 2 sectors)
        ]
        for item in cases {
            var disk = HandmadeDisk.gpt(sectorCount: 64, entryCount: 8, entrySize: 128, entries: [efi])
            if item.field == 72 && item.value == 63 {
                disk.setHeaderField(lba: 1, field: 80, value: 8, width: 4)
                disk.setHeaderField(lba: 1, field: 84, value: 256, width: 4)
            }
            disk.setHeaderField(lba: 1, field: item.field, value: item.value, width: item.width)
            // Break the backup too, so the primary's error is the one reported.
            disk.bytes[63 * 512] = 0
            #expect(throws: item.error) { try read(disk) }
        }
    }

    @Test func hostileEntries() {
        let cases: [(first: UInt64, last: UInt64)] = [
            (20, 10), (.max, .max), (0, 10), (2, 20), (6, 62), (6, .max), (.max - 1, .max),
        ]
        for item in cases {
            var entry = efi
            entry.first = item.first
            entry.last = item.last
            let disk = HandmadeDisk.gpt(sectorCount: 64, entries: [linux, entry])
            #expect(throws: PartitionError.partitionOutOfRange) { try read(disk) }
        }
    }

    @Test func tooManyGPTEntries() {
        // 300 used entries of 128 bytes: 75 sectors of array.
        let entries = (0..<300).map { HandmadeDisk.Entry(type: .linuxFilesystem, first: UInt64(100 + $0), last: UInt64(100 + $0)) }
        let disk = HandmadeDisk.gpt(sectorCount: 600, entryCount: 300, entries: entries)
        #expect(throws: PartitionError.tooManyPartitions) { try read(disk) }
    }

    @Test func protectiveMBROnATinyDisk() {
        for sectors in [1, 2, 3] {
            var disk = HandmadeDisk(sectorCount: sectors)
            disk.setRecordEntry(sector: 0, slot: 0, type: 0xEE, start: 1, count: 0xFFFF_FFFF)
            #expect(throws: PartitionError.invalidGPTHeader) { try read(disk) }
        }
    }

    @Test func randomSectorsNeverTrap() {
        // A cheap in-test fuzz: random bytes behind valid-looking signatures.
        var state: UInt64 = 0x1234_5678
        func next() -> UInt8 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 33)
        }
        for round in 0..<300 {
            var disk = round % 2 == 0 ? HandmadeDisk.gpt(sectorCount: 48, entries: [efi]) : extendedDisk()
            for _ in 0..<(1 + round % 40) {
                let index = Int(next()) * 64 + Int(next()) % 64
                if index < disk.bytes.count { disk.bytes[index] = next() }
            }
            _ = try? read(disk)
            _ = try? PartitionTable.firstFATPartition(of: disk.device())
        }
    }
}

// Partition tables made by sfdisk and mkfs.fat, read back and compared with `sfdisk --json`.
import Foundation
import Testing
import Capabilities
import Storage

@Suite(.enabled(if: DiskImageTools.haveSfdisk, "needs sfdisk (Debian package fdisk)"))
struct PartitionTableToolTests {
    /// Partitions a fresh 64 MiB image with `script`, reads it, and checks every data partition
    /// against sfdisk's own listing (MBR extended containers, which we do not list, dropped).
    func readAndCompare(_ script: String) throws -> (PartitionTable, [UInt8], String) {
        let url = try DiskImageTools.makeImage(mebibytes: 64)
        defer { DiskImageTools.remove(url) }
        let image = try DiskImageTools.partition(url, script: script)
        let view = try DiskImageTools.sfdiskView(of: url)
        let table = try PartitionTable.read(from: MemoryBlockDevice(contents: image))
        let expected = view.partitions.filter { !["5", "f", "85"].contains($0.type) }
        #expect(table.partitions.map(DiskImageTools.sfdiskForm) == expected)
        #expect(table.kind == (view.label == "gpt" ? .gpt : .mbr))
        return (table, image, view.id)
    }

    @Test func fourPrimaryPartitions() throws {
        let (table, _, id) = try readAndCompare("label: dos\n,8M,c,*\n,8M,83\n,8M,7\n,,b\n")
        #expect(table.partitions.count == 4)
        #expect(table.partitions.map(\.number) == [1, 2, 3, 4])
        #expect(id == String(format: "0x%08x", table.diskSignature))
        #expect(table.partitions[0].attributes == PartitionEntry.legacyBootableAttribute)
        #expect(table.firstFATEntry?.number == 1)
    }

    @Test func extendedPartitionWithThreeLogicals() throws {
        let (table, _, _) = try readAndCompare("label: dos\n,8M,83\n,,E\n,8M,83\n,8M,c\n,,L\n")
        #expect(table.partitions.map(\.number) == [1, 5, 6, 7])
        // The first FAT partition is the second logical one.
        #expect(table.firstFATEntry?.number == 6)
    }

    @Test func extendedPartitionInSlotThreeBetweenPrimaries() throws {
        let (table, _, _) = try readAndCompare("label: dos\n,4M,83\n,4M,83\n,,F\n,4M,e\n,4M,L\n")
        #expect(table.partitions.map(\.number) == [1, 2, 5, 6])
    }

    @Test func guidPartitionTable() throws {
        let script = """
            label: gpt
            size=10M, type=U, name="EFI boot"
            size=10M, type=L
            type=EBD0A0A2-B9E5-4433-87C0-68B6B72699C7, name="données", attrs="LegacyBIOSBootable"

            """
        let (table, _, id) = try readAndCompare(script)
        #expect(table.partitions.count == 3)
        #expect(DiskImageTools.text(table.diskGUID) == id)
        #expect(!table.usedBackupGPT)
        #expect(table.firstFATEntry?.type == .gpt(.efiSystem))
    }

    @Test func gptWithSparseSlots() throws {
        let (table, _, _) = try readAndCompare("label: gpt\nstart=2048, size=2048, type=L\nstart=8192, size=4096, type=U\n")
        #expect(table.partitions.map(\.number) == [1, 2])
    }

    @Test func tinyGPTWithFourEntrySlots() throws {
        let url = try DiskImageTools.makeImage(mebibytes: 1)
        defer { DiskImageTools.remove(url) }
        let image = try DiskImageTools.partition(url, script: "label: gpt\ntable-length: 4\nfirst-lba: 3\n,10,L\n,,U\n")
        let view = try DiskImageTools.sfdiskView(of: url)
        let table = try PartitionTable.read(from: MemoryBlockDevice(contents: image))
        #expect(table.partitions.map(DiskImageTools.sfdiskForm) == view.partitions)
    }

    /// A 64 MiB GPT image with an EFI system partition and a Linux one.
    func gptImage() throws -> [UInt8] {
        let url = try DiskImageTools.makeImage(mebibytes: 64)
        defer { DiskImageTools.remove(url) }
        return try DiskImageTools.partition(url, script: "label: gpt\nsize=10M, type=U\ntype=L, name=\"rest\"\n")
    }

    @Test func corruptPrimaryHeaderFallsBackToBackup() throws {
        var image = try gptImage()
        let good = try PartitionTable.read(from: MemoryBlockDevice(contents: image))
        image[512 + 40] ^= 0x01   // FirstUsableLBA: the header CRC no longer matches
        let table = try PartitionTable.read(from: MemoryBlockDevice(contents: image))
        #expect(table.usedBackupGPT)
        #expect(table.partitions == good.partitions)
        #expect(table.diskGUID == good.diskGUID)
        // Even a wiped primary header is recovered.
        for index in 512..<1024 { image[index] = 0 }
        #expect(try PartitionTable.read(from: MemoryBlockDevice(contents: image)).partitions == good.partitions)
    }

    @Test func corruptPrimaryEntryArrayFallsBackToBackup() throws {
        var image = try gptImage()
        let good = try PartitionTable.read(from: MemoryBlockDevice(contents: image))
        image[2 * 512 + 32] ^= 0x80   // first entry's StartingLBA, in the primary array only
        let table = try PartitionTable.read(from: MemoryBlockDevice(contents: image))
        #expect(table.usedBackupGPT)
        #expect(table.partitions == good.partitions)
    }

    @Test func bothHeadersCorruptIsAnError() throws {
        var image = try gptImage()
        image[512 + 40] ^= 0x01
        image[image.count - 512 + 40] ^= 0x01
        #expect(throws: PartitionError.gptHeaderChecksum) { try PartitionTable.read(from: MemoryBlockDevice(contents: image)) }
        #expect(throws: PartitionError.gptHeaderChecksum) {
            try PartitionTable.firstFATPartition(of: MemoryBlockDevice(contents: image))
        }
    }

    @Test func bothEntryArraysCorruptIsAnError() throws {
        var image = try gptImage()
        image[2 * 512 + 32] ^= 0x80
        // The backup array ends just before the backup header: 32 sectors of 128 entries.
        image[image.count - 33 * 512 + 32] ^= 0x80
        #expect(throws: PartitionError.gptEntryArrayChecksum) { try PartitionTable.read(from: MemoryBlockDevice(contents: image)) }
    }

    @Test(.enabled(if: DiskImageTools.haveMkfsFat, "needs mkfs.fat (dosfstools)"))
    func unpartitionedFATDiskIsTheWholeDisk() throws {
        for kibibytes in [1024, 40 * 1024] {
            let url = FileManager.default.temporaryDirectory.appendingPathComponent("seal-fat-\(UUID().uuidString).img")
            defer { DiskImageTools.remove(url) }
            try DiskImageTools.run("mkfs.fat", ["-C", url.path, String(kibibytes)] + (kibibytes > 1024 ? ["-F", "32"] : []))
            let disk = MemoryBlockDevice(contents: [UInt8](try Data(contentsOf: url)))
            let table = try PartitionTable.read(from: disk)
            #expect(table.kind == .none)
            #expect(table.wholeDiskIsFAT)
            let volume = try #require(try PartitionTable.firstFATPartition(of: disk))
            #expect(volume.firstSector == 0)
            #expect(volume.sectorCount == disk.sectorCount)
        }
    }

    @Test(.enabled(if: DiskImageTools.haveMkfsFat, "needs mkfs.fat (dosfstools)"))
    func firstFATPartitionOpensTheFormattedPartition() throws {
        let url = try DiskImageTools.makeImage(mebibytes: 64)
        defer { DiskImageTools.remove(url) }
        _ = try DiskImageTools.partition(url, script: "label: dos\n,4M,83\n,,E\n,8M,83\n,,c\n")
        let view = try DiskImageTools.sfdiskView(of: url)
        let fat = try #require(view.partitions.first { $0.type == "c" })
        try DiskImageTools.run("mkfs.fat", ["--offset", String(fat.start), url.path, String(fat.size / 2)])
        let disk = MemoryBlockDevice(contents: [UInt8](try Data(contentsOf: url)))
        let volume = try #require(try PartitionTable.firstFATPartition(of: disk))
        #expect(volume.firstSector == fat.start)
        #expect(volume.sectorCount == fat.size)
        var boot = [UInt8](repeating: 0, count: 512)
        try boot.withUnsafeMutableBytes { try volume.read(sector: 0, into: $0) }
        #expect(boot[0] == 0xEB && boot[510] == 0x55 && boot[511] == 0xAA)
        #expect(Array(boot[3..<11]) == Array("mkfs.fat".utf8))
        // A table with no FAT partition gives nil, not the whole disk.
        let linuxOnly = try DiskImageTools.makeImage(mebibytes: 8)
        defer { DiskImageTools.remove(linuxOnly) }
        let image = try DiskImageTools.partition(linuxOnly, script: "label: dos\n,,83\n")
        #expect(try PartitionTable.firstFATPartition(of: MemoryBlockDevice(contents: image)) == nil)
    }
}

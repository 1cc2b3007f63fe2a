// Seal reads what mkfs.fat and mcopy write, and fsck.fat and mtools accept what Seal writes.
import Testing
import Foundation
import FAT
import Storage

@Suite(.enabled(if: Tools.available)) struct InteropTests {
    static let kinds: [(kilobytes: Int, bits: Int, type: FATType)] = [
        (1440, 12, .fat12), (32 * 1024, 16, .fat16), (64 * 1024, 32, .fat32),
    ]

    @Test(arguments: 0..<3) func mountsEachType(_ kind: Int) throws {
        let (kilobytes, bits, type) = Self.kinds[kind]
        let (_, fs) = try mount(Tools.makeImage(kilobytes: kilobytes, fatBits: bits))
        #expect(fs.type == type)
        #expect(try fs.list(bytes("/")).isEmpty)
        let free = try fs.freeClusterCount()
        #expect(free > 0 && free <= fs.layout.clusterCount)
    }

    @Test(arguments: 0..<3) func readsFilesWrittenByMtools(_ kind: Int) throws {
        let (kilobytes, bits, _) = Self.kinds[kind]
        let big = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 9) }
        let image = Tools.mcopy(Tools.makeImage(kilobytes: kilobytes, fatBits: bits),
                                directories: ["Docs", "Docs/Deep Folder", "Docs/Deep Folder/Été"],
                                files: [("README.TXT", bytes("hello\n")),
                                        ("Docs/A long file name.text", big),
                                        ("Docs/Deep Folder/Été/café.txt", bytes("crème")),
                                        ("empty", [])])
        let (_, fs) = try mount(image)
        let root = try fs.list(bytes("/")).map { String(decoding: $0.name, as: UTF8.self) }
        #expect(Set(root) == ["README.TXT", "Docs", "empty"])
        #expect(try fs.readFile(bytes("/readme.txt")) == bytes("hello\n"))
        #expect(try fs.readFile(bytes("docs/a LONG file name.TEXT")) == big)
        #expect(try fs.readFile(bytes("/Docs/Deep Folder/Été/café.txt")) == bytes("crème"))
        #expect(try fs.readFile(bytes("/DOCS/DEEP FOLDER/ÉTÉ/CAFÉ.TXT")) == bytes("crème"))
        #expect(try fs.readFile(bytes("empty")) == [])
        let info = try fs.stat(bytes("/Docs/A long file name.text"))
        #expect(info.size == UInt32(big.count) && !info.isDirectory && info.firstCluster >= 2)
        #expect(try fs.stat(bytes("/Docs/Deep Folder")).isDirectory)
        // A read in the middle, across clusters.
        var middle = [UInt8](repeating: 0, count: 5000)
        let count = try middle.withUnsafeMutableBytes { try fs.read(bytes("/Docs/A long file name.text"), at: 123_457, into: $0) }
        #expect(count == 5000 && middle == Array(big[123_457..<128_457]))
        #expect(throws: FATError.notFound) { try fs.stat(bytes("/nothing")) }
        #expect(throws: FATError.notADirectory) { try fs.stat(bytes("/README.TXT/x")) }
    }

    @Test(arguments: 0..<3) func writesWhatFsckAndMtoolsAccept(_ kind: Int) throws {
        let (kilobytes, bits, _) = Self.kinds[kind]
        let (disk, fs) = try mount(Tools.makeImage(kilobytes: kilobytes, fatBits: bits))
        let big = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) }
        try fs.makeDirectories(bytes("/Projects/Seal Unikernel/Sources"))
        try fs.writeFile(bytes("/Projects/Seal Unikernel/Sources/Main File.swift"), bytes("print(\"hi\")\n"))
        try fs.writeFile(bytes("/Projects/big.bin"), big)
        try fs.writeFile(bytes("/NOTES.TXT"), bytes("short name only"))
        try fs.writeFile(bytes("/Résumé très long.txt"), bytes("é"))
        for index in 0..<40 { try fs.writeFile(bytes("/Projects/file number \(index).dat"), bytes("n\(index)")) }
        try fs.writeFile(bytes("/to delete.txt"), big)
        try fs.remove(bytes("/to delete.txt"))
        try fs.makeDirectory(bytes("/Empty Dir"))
        try fs.rename(bytes("/NOTES.TXT"), to: bytes("/Projects/Seal Unikernel/notes moved.txt"))
        try fs.truncate(bytes("/Projects/big.bin"), to: 70_000)
        try fs.sync()
        #expect(disk.flushes >= 1)
        let fsck = Tools.fsck(disk.bytes)
        #expect(fsck.status == 0, "\(fsck.output)")
        #expect(!fsck.output.contains("Free cluster"), "\(fsck.output)")
        #expect(Tools.mtype(disk.bytes, "/Projects/Seal Unikernel/Sources/Main File.swift") == bytes("print(\"hi\")\n"))
        #expect(Tools.mtype(disk.bytes, "/Projects/big.bin") == Array(big[0..<70_000]))
        #expect(Tools.mtype(disk.bytes, "/Résumé très long.txt") == bytes("é"))
        #expect(Tools.mtype(disk.bytes, "/Projects/Seal Unikernel/notes moved.txt") == bytes("short name only"))
        #expect(Tools.mtype(disk.bytes, "/Projects/file number 39.dat") == bytes("n39"))
        let listing = Tools.mdirBare(disk.bytes)
        #expect(listing.contains { $0.hasSuffix("/Projects/Seal Unikernel/Sources/Main File.swift") }, "\(listing)")
        #expect(listing.contains { $0.hasSuffix("/Empty Dir/") }, "\(listing)")
        #expect(!listing.contains { $0.contains("to delete") })
        // The tracked free count agrees with a full count.
        let tracked = try fs.freeClusterCount()
        #expect(try fs.countFreeClusters() == tracked)
    }

    @Test func fixedRootFillsUpAndSubdirectoriesGrow() throws {
        let (disk, fs) = try mount(Tools.makeImage(kilobytes: 1440, fatBits: 12))
        var created = 0
        do {
            while created < 1000 {
                _ = try fs.create(bytes("ROOT\(created).TXT"))
                created += 1
            }
        } catch {
            #expect(error == .directoryFull)
        }
        #expect(created == 224)   // the 1.44 MB floppy's root holds 224 entries
        #expect(throws: FATError.directoryFull) { try fs.makeDirectory(bytes("/Sub")) }
        #expect(try fs.freeClusterCount() == fs.layout.clusterCount)   // the failed mkdir gave its cluster back
        try fs.remove(bytes("ROOT0.TXT"))
        try fs.remove(bytes("ROOT1.TXT"))
        try fs.makeDirectory(bytes("/Sub"))
        for index in 0..<300 { try fs.writeFile(bytes("/Sub/a rather long name number \(index).txt"), bytes("\(index)")) }
        #expect(try fs.list(bytes("/Sub")).count == 300)
        #expect(try fs.readFile(bytes("/sub/A RATHER LONG NAME NUMBER 299.TXT")) == bytes("299"))
        try fs.sync()
        let fsck = Tools.fsck(disk.bytes)
        #expect(fsck.status == 0, "\(fsck.output)")
        #expect(Tools.mtype(disk.bytes, "/Sub/a rather long name number 123.txt") == bytes("123"))
    }

    @Test func fillsTheDiskWithTypedError() throws {
        let (disk, fs) = try mount(Tools.makeImage(kilobytes: 256, fatBits: 12))
        let chunk = [UInt8](repeating: 0xAB, count: 10_000)
        var file = try fs.create(bytes("/fill.bin"))
        var written = 0
        do {
            while written < 1_000_000 {
                try chunk.withUnsafeBytes { try fs.write(&file, at: UInt64(written), from: $0) }
                written += chunk.count
            }
        } catch {
            #expect(error as? FATError == .noSpace)
        }
        #expect(written > 150_000 && written < 262_144)
        #expect(try fs.stat(bytes("/fill.bin")).size == UInt32(written))
        try fs.sync()
        #expect(Tools.fsck(disk.bytes).status == 0)
        try fs.remove(bytes("/fill.bin"))
        try fs.writeFile(bytes("/again.bin"), Array(repeating: 1, count: 100_000))
        try fs.sync()
        #expect(Tools.fsck(disk.bytes).status == 0)
    }

    @Test func fat32KeepsFSInfoRight() throws {
        let (disk, fs) = try mount(Tools.makeImage(kilobytes: 64 * 1024, fatBits: 32))
        let before = try fs.freeClusterCount()
        try fs.writeFile(bytes("/a.bin"), Array(repeating: 9, count: 10 * fs.bytesPerCluster + 1))
        #expect(try fs.freeClusterCount() == before - 11)
        try fs.sync()
        // FSInfo at sector 1: free count at 488.
        let free = UInt32(disk.bytes[512 + 488]) | UInt32(disk.bytes[512 + 489]) << 8
            | UInt32(disk.bytes[512 + 490]) << 16 | UInt32(disk.bytes[512 + 491]) << 24
        #expect(free == before - 11)
        // Remounting with FSInfo invalidated recounts.
        var image = disk.bytes
        for index in 488..<492 { image[512 + index] = 0xFF }
        let (_, again) = try mount(image)
        #expect(try again.freeClusterCount() == before - 11)
        let fsck = Tools.fsck(disk.bytes)
        #expect(fsck.status == 0 && !fsck.output.contains("Free cluster"), "\(fsck.output)")
    }

    @Test func sequentialTransfersUseMultiSectorRequests() throws {
        let (disk, fs) = try mount(Tools.makeImage(kilobytes: 64 * 1024, fatBits: 32))
        let data = (0..<(8 << 20)).map { UInt8(truncatingIfNeeded: $0 >> 3) }
        let writesBefore = disk.writes
        var file = try fs.create(bytes("/big"))
        var offset = 0
        while offset < data.count {
            try data[offset..<offset + 65536].withUnsafeBytes { try fs.write(&file, at: UInt64(offset), from: $0) }
            offset += 65536
        }
        // 16384 sectors of data: far fewer requests than sectors.
        #expect(disk.writes - writesBefore < 2000)
        let readsBefore = disk.reads
        var back = [UInt8](repeating: 0, count: data.count)
        _ = try back.withUnsafeMutableBytes { try fs.read(file, at: 0, into: $0) }
        #expect(back == data)
        #expect(disk.reads - readsBefore < 1000)
    }

    @Test func fat32RootChainGrows() throws {
        let (disk, fs) = try mount(Tools.makeImage(kilobytes: 64 * 1024, fatBits: 32, extra: ["-s", "1"]))
        let rootBefore = try fs.stat(bytes("/")).firstCluster
        for index in 0..<100 { try fs.writeFile(bytes("/root file with a long name \(index).txt"), bytes("\(index)")) }
        #expect(try fs.list(bytes("/")).count == 100)
        #expect(try fs.stat(bytes("/")).firstCluster == rootBefore)
        try fs.sync()
        let fsck = Tools.fsck(disk.bytes)
        #expect(fsck.status == 0, "\(fsck.output)")
        #expect(Tools.mtype(disk.bytes, "/root file with a long name 99.txt") == bytes("99"))
    }

    @Test func fourKilobyteSectors() throws {
        let image = Tools.makeImage(kilobytes: 32 * 1024, fatBits: 16, extra: ["-S", "4096", "-s", "1"])
        let disk = MemoryBlockDevice(sectorSize: 4096, contents: image)
        let fs = try FATFileSystem(device: disk)
        #expect(fs.layout.bytesPerSector == 4096)
        try fs.makeDirectories(bytes("/a/b"))
        let data = (0..<50_000).map { UInt8(truncatingIfNeeded: $0 * 13) }
        try fs.writeFile(bytes("/a/b/four k.bin"), data)
        #expect(try fs.readFile(bytes("/a/b/four k.bin")) == data)
        try fs.sync()
        let fsck = Tools.fsck(disk.bytes)
        #expect(fsck.status == 0, "\(fsck.output)")
        #expect(Tools.mtype(disk.bytes, "/a/b/four k.bin") == data)
        // The same image on a 512-byte device is refused.
        #expect(throws: FATError.invalidBootSector(.sectorSizeMismatch)) { _ = try mount(image) }
    }
}

// toolchain/make-disk.sh builds an image whose first FAT partition this library finds and fsck.fat accepts.
import Foundation
import Testing
import Capabilities
import Storage

@Suite(.enabled(if: DiskImageTools.haveDiskBuilderTools, "needs sfdisk, mkfs.fat, fsck.fat and mtools"))
struct MakeDiskScriptTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../toolchain/make-disk.sh").standardized.path

    @Test func buildsAPartitionedFATDisk() throws {
        let temporary = FileManager.default.temporaryDirectory.appendingPathComponent("seal-make-disk-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: temporary) }
        let folder = temporary.appendingPathComponent("site")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("css/empty"), withIntermediateDirectories: true)
        try Data("hello\n".utf8).write(to: folder.appendingPathComponent("index.html"))
        try Data("body {}\n".utf8).write(to: folder.appendingPathComponent("css/site.css"))
        try Data("dot\n".utf8).write(to: folder.appendingPathComponent(".hidden"))
        let image = temporary.appendingPathComponent("out/disk.img")

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [MakeDiskScriptTests.script, folder.path, image.path, "8"]
        process.standardOutput = Pipe()
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)

        let bytes = [UInt8](try Data(contentsOf: image))
        #expect(bytes.count == 8 << 20)
        let disk = MemoryBlockDevice(contents: bytes)
        let table = try PartitionTable.read(from: disk)
        #expect(table.kind == .mbr)
        #expect(table.partitions == [PartitionEntry(number: 1, firstSector: 2048, sectorCount: 7 * 2048, type: .mbr(0x0C))])
        let volume = try #require(try PartitionTable.firstFATPartition(of: disk))
        var boot = [UInt8](repeating: 0, count: 512)
        try boot.withUnsafeMutableBytes { try volume.read(sector: 0, into: $0) }
        #expect(Array(boot[3..<11]) == Array("mkfs.fat".utf8))
        // Hidden sectors (BPB offset 28) record the partition's start.
        #expect(boot[28] == 0x00 && boot[29] == 0x08)

        // fsck.fat checks the partition extracted from the image.
        let partition = temporary.appendingPathComponent("partition.img")
        try Data(bytes[(2048 * 512)...]).write(to: partition)
        try DiskImageTools.run("fsck.fat", ["-n", partition.path])
        let listing = String(decoding: try DiskImageTools.run("mdir", ["-/", "-b", "-i", image.path + "@@1M", "::/"]), as: UTF8.self)
        for name in ["index.html", "css/site.css", ".hidden", "css/empty"] {
            #expect(listing.contains("::/" + name), "\(name) missing from \(listing)")
        }
    }
}

// File and directory semantics: gaps, truncation, rename rules, rmdir, case-insensitive names.
import Testing
import FAT
import Storage

@Suite(.enabled(if: Tools.available)) struct OperationTests {
    func freshFAT16() throws -> (MemoryBlockDevice, FATFileSystem<MemoryBlockDevice>) {
        try mount(Tools.makeImage(kilobytes: 16 * 1024, fatBits: 16, extra: ["-s", "1"]))
    }

    @Test func writeBeyondEndZeroFillsAndTruncateGrowsWithZeros() throws {
        let (disk, fs) = try freshFAT16()
        try fs.write(bytes("/gap.bin"), at: 10_000, from: UnsafeRawBufferPointer(start: nil, count: 0))
        #expect(try fs.readFile(bytes("/gap.bin")) == [UInt8](repeating: 0, count: 10_000))
        try ([1, 2, 3] as [UInt8]).withUnsafeBytes { try fs.write(bytes("/gap.bin"), at: 20_000, from: $0) }
        var expected = [UInt8](repeating: 0, count: 20_003)
        expected[20_000] = 1; expected[20_001] = 2; expected[20_002] = 3
        #expect(try fs.readFile(bytes("/gap.bin")) == expected)
        // Shrink, then grow: the old bytes must not come back.
        try fs.writeFile(bytes("/t"), [UInt8](repeating: 0xEE, count: 5000))
        try fs.truncate(bytes("/t"), to: 100)
        try fs.truncate(bytes("/t"), to: 3000)
        #expect(try fs.readFile(bytes("/t")) == [UInt8](repeating: 0xEE, count: 100) + [UInt8](repeating: 0, count: 2900))
        try fs.truncate(bytes("/t"), to: 0)
        #expect(try fs.stat(bytes("/t")).firstCluster == 0)
        try ([9] as [UInt8]).withUnsafeBytes { try fs.append(bytes("/t"), from: $0) }
        try ([8] as [UInt8]).withUnsafeBytes { try fs.append(bytes("/t"), from: $0) }
        #expect(try fs.readFile(bytes("/t")) == [9, 8])
        try fs.sync()
        #expect(Tools.fsck(disk.bytes).status == 0)
    }

    @Test func namesAreCaseInsensitiveAndUnique() throws {
        let (_, fs) = try freshFAT16()
        try fs.writeFile(bytes("/Hello World.txt"), bytes("1"))
        #expect(throws: FATError.alreadyExists) { _ = try fs.create(bytes("/HELLO world.TXT")) }
        #expect(throws: FATError.alreadyExists) { _ = try fs.create(bytes("/HELLOW~1.TXT")) }
        try fs.writeFile(bytes("/hello world.txt"), bytes("2"))   // the same file
        #expect(try fs.list(bytes("/")).count == 1)
        #expect(try fs.readFile(bytes("/HELLO WORLD.TXT")) == bytes("2"))
        try fs.writeFile(bytes("/Hello World!.txt"), bytes("3"))
        try fs.writeFile(bytes("/Hello Worlds.txt"), bytes("4"))
        #expect(try fs.list(bytes("/")).map { String(decoding: $0.name, as: UTF8.self) }
                == ["Hello World.txt", "Hello World!.txt", "Hello Worlds.txt"])
        #expect(throws: FATError.invalidName) { _ = try fs.create(bytes("/a:b")) }
        #expect(throws: FATError.invalidName) { _ = try fs.create([0x2F, 0xFF]) }
        #expect(throws: FATError.invalidName) { _ = try fs.stat(bytes("/x/../y")) }
    }

    @Test func renameAndMoveRules() throws {
        let (disk, fs) = try freshFAT16()
        try fs.makeDirectories(bytes("/a/b/c"))
        try fs.makeDirectories(bytes("/a/b/c"))   // -p tolerates existing directories
        try fs.writeFile(bytes("/a/b/c/file.txt"), bytes("content"))
        try fs.writeFile(bytes("/other.txt"), bytes("other"))
        #expect(throws: FATError.invalidOperation) { try fs.rename(bytes("/a"), to: bytes("/a/b/c/a")) }
        #expect(throws: FATError.invalidOperation) { try fs.rename(bytes("/a/b"), to: bytes("/a/b/x")) }
        #expect(throws: FATError.alreadyExists) { try fs.rename(bytes("/other.txt"), to: bytes("/a")) }
        #expect(throws: FATError.notFound) { try fs.rename(bytes("/missing"), to: bytes("/x")) }
        try fs.rename(bytes("/a/b"), to: bytes("/B moved"))
        #expect(try fs.readFile(bytes("/B moved/c/file.txt")) == bytes("content"))
        try fs.rename(bytes("/other.txt"), to: bytes("/OTHER.TXT"))   // case change in place
        #expect(try fs.list(bytes("/")).map { String(decoding: $0.name, as: UTF8.self) }.contains("OTHER.TXT"))
        try fs.rename(bytes("/OTHER.TXT"), to: bytes("/B moved/c/other file.txt"))
        #expect(try fs.readFile(bytes("/b MOVED/C/Other File.txt")) == bytes("other"))
        #expect(throws: FATError.directoryNotEmpty) { try fs.removeDirectory(bytes("/B moved")) }
        #expect(throws: FATError.isADirectory) { try fs.remove(bytes("/B moved")) }
        #expect(throws: FATError.notADirectory) { try fs.removeDirectory(bytes("/B moved/c/file.txt")) }
        #expect(throws: FATError.invalidOperation) { try fs.removeDirectory(bytes("/")) }
        try fs.remove(bytes("/B moved/c/file.txt"))
        try fs.remove(bytes("/B moved/c/other file.txt"))
        try fs.removeDirectory(bytes("/B moved/c"))
        try fs.removeDirectory(bytes("/B moved"))
        try fs.sync()
        let fsck = Tools.fsck(disk.bytes)
        #expect(fsck.status == 0, "\(fsck.output)")
        // The moved directory's '..' was rewritten: fsck checks it, and so does this.
        try fs.makeDirectories(bytes("/p/q"))
        try fs.rename(bytes("/p/q"), to: bytes("/q2"))
        try fs.sync()
        #expect(Tools.fsck(disk.bytes).status == 0)
    }

    @Test func readOnlyDeviceRefusesWrites() throws {
        let image = Tools.makeImage(kilobytes: 1440, fatBits: 12)
        let disk = MemoryBlockDevice(contents: image, isReadOnly: true)
        let fs = try FATFileSystem(device: disk)
        #expect(try fs.list(bytes("/")).isEmpty)
        #expect(throws: FATError.device(.readOnly)) { _ = try fs.create(bytes("/x")) }
        try fs.sync()
    }
}

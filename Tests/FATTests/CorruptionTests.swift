// Broken images give typed errors, never a trap or a hang.
import Testing
import FAT
import Storage

@Suite(.enabled(if: Tools.available)) struct CorruptionTests {
    /// A FAT12 image (512-byte clusters) with a 5-cluster file and a directory.
    func sample() throws -> (image: [UInt8], file: FATFileInfo, layout: FATLayout) {
        let image = Tools.mcopy(Tools.makeImage(kilobytes: 1440, fatBits: 12, extra: ["-s", "1"]), directories: ["DIR"],
                                files: [("FILE.BIN", [UInt8](repeating: 7, count: 2500)), ("DIR/INNER.TXT", bytes("in"))])
        let (_, fs) = try mount(image)
        return (image, try fs.stat(bytes("/FILE.BIN")), fs.layout)
    }

    /// Sets FAT12 entry `cluster` in both FAT copies.
    func setEntry(_ image: inout [UInt8], _ layout: FATLayout, _ cluster: UInt32, _ value: UInt32) {
        for copy in 0..<layout.fatCount {
            let base = (Int(layout.reservedSectors) + copy * Int(layout.fatSize)) * 512
            let offset = base + Int(cluster) + Int(cluster / 2)
            if cluster & 1 == 1 {
                image[offset] = image[offset] & 0x0F | UInt8(truncatingIfNeeded: value << 4)
                image[offset + 1] = UInt8(truncatingIfNeeded: value >> 4)
            } else {
                image[offset] = UInt8(truncatingIfNeeded: value)
                image[offset + 1] = image[offset + 1] & 0xF0 | UInt8(truncatingIfNeeded: value >> 8) & 0x0F
            }
        }
    }

    @Test func loopInChain() throws {
        var (image, file, layout) = try sample()
        setEntry(&image, layout, file.firstCluster + 4, file.firstCluster)   // last cluster back to the first
        let (_, fs) = try mount(image)
        #expect(try fs.readFile(bytes("/FILE.BIN")).count == 2500)   // the size bounds the read
        #expect(throws: FATError.clusterLoop) { try [1].withUnsafeBytes { try fs.append(bytes("/FILE.BIN"), from: $0) } }
        setEntry(&image, layout, file.firstCluster, file.firstCluster)   // a cluster pointing at itself
        let (_, looped) = try mount(image)
        #expect(throws: FATError.clusterLoop) { try looped.truncate(bytes("/FILE.BIN"), to: 100_000) }
    }

    @Test func outOfRangeAndFreeClusters() throws {
        var (image, file, layout) = try sample()
        setEntry(&image, layout, file.firstCluster + 1, 0xFF0)
        var (_, fs) = try mount(image)
        #expect(throws: FATError.clusterOutOfRange) { try fs.readFile(bytes("/FILE.BIN")) }
        setEntry(&image, layout, file.firstCluster + 1, 0)
        (_, fs) = try mount(image)
        #expect(throws: FATError.clusterOutOfRange) { try fs.readFile(bytes("/FILE.BIN")) }
        setEntry(&image, layout, file.firstCluster + 1, layout.clusterCount + 2)
        (_, fs) = try mount(image)
        #expect(throws: FATError.clusterOutOfRange) { try fs.readFile(bytes("/FILE.BIN")) }
        setEntry(&image, layout, file.firstCluster + 1, 0xFFF)   // ends after two clusters
        (_, fs) = try mount(image)
        #expect(throws: FATError.chainTooShort) { try fs.readFile(bytes("/FILE.BIN")) }
    }

    @Test func entriesPointingOutside() throws {
        let (image, _, layout) = try sample()
        // Find the root entry of FILE.BIN and point it past the last cluster.
        let root = Int(layout.rootDirectorySector) * 512
        var broken = image
        for slot in 0..<layout.rootEntryCount where Array(image[root + slot * 32..<root + slot * 32 + 11]) == bytes("FILE    BIN") {
            broken[root + slot * 32 + 26] = 0xF0
            broken[root + slot * 32 + 27] = 0x0F
        }
        var (_, fs) = try mount(broken)
        #expect(throws: FATError.clusterOutOfRange) { try fs.readFile(bytes("/FILE.BIN")) }
        #expect(throws: FATError.clusterOutOfRange) { try fs.remove(bytes("/FILE.BIN")) }
        // A directory whose cluster is 0 or outside.
        broken = image
        for slot in 0..<layout.rootEntryCount where Array(image[root + slot * 32..<root + slot * 32 + 11]) == bytes("DIR        ") {
            broken[root + slot * 32 + 26] = 0
            broken[root + slot * 32 + 27] = 0
        }
        (_, fs) = try mount(broken)
        #expect(throws: FATError.corruptDirectory) { try fs.list(bytes("/DIR")) }
        // A directory chain that loops onto itself is listed in bounded time.
        var looped = image
        let directory = try mount(image).1.stat(bytes("/DIR")).firstCluster
        setEntry(&looped, layout, directory, directory)
        (_, fs) = try mount(looped)
        #expect(try fs.list(bytes("/DIR")).count == 1)
    }

    @Test func badBootSectors() throws {
        let (image, _, _) = try sample()
        func expectProblem(_ problem: FATBootSectorProblem, _ change: (inout [UInt8]) -> Void) {
            var broken = image
            change(&broken)
            #expect(throws: FATError.invalidBootSector(problem)) { _ = try mount(broken) }
        }
        expectProblem(.missingSignature) { $0[510] = 0 }
        expectProblem(.sectorSizeMismatch) { $0[12] = 4 }   // 1024
        expectProblem(.badSectorsPerCluster) { $0[13] = 3 }
        expectProblem(.badSectorsPerCluster) { $0[13] = 0 }
        expectProblem(.badReservedSectorCount) { $0[14] = 0; $0[15] = 0 }
        expectProblem(.badFATCount) { $0[16] = 0 }
        expectProblem(.badRootEntryCount) { $0[17] = 0; $0[18] = 0 }
        expectProblem(.badTotalSectors) { $0[19] = 0; $0[20] = 0 }
        expectProblem(.badTotalSectors) { $0[19] = 0xFF; $0[20] = 0xFF }
        expectProblem(.badFATSize) { $0[22] = 0; $0[23] = 0 }
        expectProblem(.badFATSize) { $0[22] = 1; $0[23] = 0 }
        expectProblem(.badFATSize) { $0[22] = 0xFF; $0[23] = 0x0F }
        #expect(throws: FATError.invalidBootSector(.unsupportedSectorSize)) {
            _ = try FATFileSystem(device: MemoryBlockDevice(sectorSize: 256, sectorCount: 16))
        }
        #expect(throws: FATError.device(.outOfRange)) {
            _ = try FATFileSystem(device: MemoryBlockDevice(sectorSize: 512, sectorCount: 0))
        }
    }
}

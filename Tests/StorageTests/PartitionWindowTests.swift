// A partition as a block device: requests stay inside its window of the base device.
import Testing
import Capabilities
import Storage

@Suite struct PartitionWindowTests {
    func disk() -> MemoryBlockDevice {
        MemoryBlockDevice(contents: (0..<(16 * 512)).map { UInt8(truncatingIfNeeded: $0 / 512) })
    }

    @Test func readsAndWritesThroughTheWindow() throws {
        let base = disk()
        let partition = try Partition(base: base, firstSector: 4, sectorCount: 8)
        #expect(partition.sectorSize == 512)
        #expect(partition.sectorCount == 8)
        var two = [UInt8](repeating: 0, count: 1024)
        try two.withUnsafeMutableBytes { try partition.read(sector: 6, into: $0) }
        #expect(two[0] == 10 && two[1023] == 11)
        let data = [UInt8](repeating: 0xAB, count: 512)
        try data.withUnsafeBytes { try partition.write(sector: 7, from: $0) }
        #expect(base.bytes[11 * 512..<12 * 512].allSatisfy { $0 == 0xAB })
        #expect(base.bytes[12 * 512] == 12)
        try partition.flush()
        #expect(base.flushes == 1)
    }

    @Test func rejectsRequestsOutsideTheWindow() throws {
        let base = disk()
        let partition = try Partition(base: base, firstSector: 4, sectorCount: 8)
        var one = [UInt8](repeating: 0, count: 512)
        var two = [UInt8](repeating: 0, count: 1024)
        #expect(throws: BlockError.outOfRange) { try one.withUnsafeMutableBytes { try partition.read(sector: 8, into: $0) } }
        #expect(throws: BlockError.outOfRange) { try two.withUnsafeMutableBytes { try partition.read(sector: 7, into: $0) } }
        #expect(throws: BlockError.outOfRange) { try one.withUnsafeMutableBytes { try partition.read(sector: .max, into: $0) } }
        #expect(throws: BlockError.outOfRange) { try one.withUnsafeBytes { try partition.write(sector: 8, from: $0) } }
        var odd = [UInt8](repeating: 0, count: 100)
        #expect(throws: BlockError.misaligned) { try odd.withUnsafeMutableBytes { try partition.read(sector: 0, into: $0) } }
        #expect(base.reads == 0 && base.writes == 0)
    }

    @Test func windowMustFitTheBase() throws {
        let base = disk()
        #expect(throws: PartitionError.partitionOutOfRange) { try Partition(base: base, firstSector: 10, sectorCount: 7) }
        #expect(throws: PartitionError.partitionOutOfRange) { try Partition(base: base, firstSector: 17, sectorCount: 0) }
        #expect(throws: PartitionError.partitionOutOfRange) { try Partition(base: base, firstSector: .max, sectorCount: .max) }
        #expect(throws: PartitionError.partitionOutOfRange) { try Partition(base: base, firstSector: 1, sectorCount: .max) }
        let whole = try Partition(base: base, firstSector: 0, sectorCount: 16)
        #expect(whole.sectorCount == 16)
        let entry = PartitionEntry(number: 1, firstSector: 15, sectorCount: 2, type: .mbr(0x0C))
        #expect(throws: PartitionError.partitionOutOfRange) { try Partition(entry, of: base) }
    }

    @Test func readOnlyViews() throws {
        let base = disk()
        let view = try Partition(base: base, firstSector: 2, sectorCount: 2, readOnly: true)
        #expect(view.isReadOnly)
        let data = [UInt8](repeating: 1, count: 512)
        #expect(throws: BlockError.readOnly) { try data.withUnsafeBytes { try view.write(sector: 0, from: $0) } }
        #expect(throws: BlockError.readOnly) { try view.flush() }
        let readOnlyBase = MemoryBlockDevice(sectorCount: 4, isReadOnly: true)
        let inherited = try Partition(base: readOnlyBase, firstSector: 0, sectorCount: 4)
        #expect(inherited.isReadOnly)
        #expect(throws: BlockError.readOnly) { try data.withUnsafeBytes { try inherited.write(sector: 0, from: $0) } }
    }

    @Test func partitionsNest() throws {
        let base = disk()
        let outer = try Partition(base: base, firstSector: 2, sectorCount: 12)
        let inner = try Partition(base: outer, firstSector: 3, sectorCount: 4)
        var one = [UInt8](repeating: 0, count: 512)
        try one.withUnsafeMutableBytes { try inner.read(sector: 3, into: $0) }
        #expect(one[0] == 8)
        #expect(throws: BlockError.outOfRange) { try one.withUnsafeMutableBytes { try inner.read(sector: 4, into: $0) } }
    }
}

// Recovery from damaged disks: stale records past a torn tail, torn superblocks, garbage devices.
import Testing
import Capabilities
import KV
import Storage

@Suite struct RecoveryTests {
    /// A record lost in the middle of the log leaves an intact later record behind it. After
    /// reopening, a new record of exactly the lost one's size and sequence number lands in its
    /// place, ending on a sector boundary so the stale one follows seamlessly in a sector the
    /// store does not rewrite: only its older epoch keeps it out.
    @Test func staleRecordAfterRewrittenTailIsIgnored() throws {
        let disk = MemoryBlockDevice(sectorCount: 64)
        try KeyValueStore.format(disk)
        let store = try KeyValueStore.open(disk)
        try store.put(bytes("a"), bytes("durable"))
        try store.sync()
        let lostStart = Int(store.usedBytes)
        // A one-put batch record of a one-byte key is 43 bytes plus the value.
        let valueLength = 1024 - 43 - lostStart
        try store.put(bytes("b"), pattern(valueLength, seed: 1))
        #expect(store.usedBytes == 1024)
        try store.put(bytes("c"), pattern(100, seed: 2))
        try store.sync()
        // Damage one payload byte of b's record (region 0 starts at sector 2).
        disk.bytes[2 * 512 + lostStart + 100] ^= 0xFF
        let reopened = try KeyValueStore.open(disk)
        #expect(reopened.list() == [bytes("a")])
        try reopened.put(bytes("d"), pattern(valueLength, seed: 3))
        try reopened.sync()
        let final = try KeyValueStore.open(disk)
        #expect(final.list() == ["a", "d"].map(bytes))
        #expect(try final.get(bytes("d")) == pattern(valueLength, seed: 3))
    }

    /// The next superblock write (the slot not holding the newest) torn by a crash: the newest
    /// one stays in charge. (A durable superblock is never torn: records of its epoch are only
    /// written after its flush.)
    @Test func tornSuperblockWriteFallsBackToTheNewest() throws {
        let disk = MemoryBlockDevice(sectorCount: 64)
        try KeyValueStore.format(disk)
        let store = try KeyValueStore.open(disk)
        try store.put(bytes("k"), bytes("v"))
        try store.sync()
        var older = 0
        var least = UInt64.max
        for slot in 0..<2 {
            var sequence: UInt64 = 0
            for index in 0..<8 { sequence |= UInt64(disk.bytes[slot * 512 + 16 + index]) << (8 * UInt64(index)) }
            if sequence < least { least = sequence; older = slot }
        }
        for index in 30..<512 { disk.bytes[older * 512 + index] = 0xEE }
        let reopened = try KeyValueStore.open(disk)
        #expect(try reopened.get(bytes("k")) == bytes("v"))
        try reopened.put(bytes("j"), bytes("w"))
        try reopened.sync()
        #expect(try KeyValueStore.open(disk).list() == ["j", "k"].map(bytes))
    }

    @Test func blankAndGarbageDevicesAreNotStores() throws {
        let blank = MemoryBlockDevice(sectorCount: 64)
        #expect(throws: KeyValueError.notAStore) { try KeyValueStore.open(blank) }
        var random = 0x1234_5678 as UInt64
        let garbage = MemoryBlockDevice(sectorCount: 64)
        for index in 0..<garbage.bytes.count {
            random = random &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            garbage.bytes[index] = UInt8(truncatingIfNeeded: random >> 33)
        }
        #expect(throws: KeyValueError.notAStore) { try KeyValueStore.open(garbage) }
        let tiny = MemoryBlockDevice(sectorCount: 9)
        #expect(throws: KeyValueError.unsupportedDevice) { try KeyValueStore.format(tiny) }
        #expect(throws: KeyValueError.unsupportedDevice) { try KeyValueStore.open(tiny) }
    }

    @Test func damagedSuperblocksAreCorrupt() throws {
        let disk = MemoryBlockDevice(sectorCount: 64)
        try KeyValueStore.format(disk)
        _ = try KeyValueStore.open(disk)
        disk.bytes[20] ^= 1
        disk.bytes[512 + 20] ^= 1
        #expect(throws: KeyValueError.corrupt) { try KeyValueStore.open(disk) }
        // A store moved to a device of another sector size is not accepted either.
        try KeyValueStore.format(disk)
        _ = try KeyValueStore.open(disk)
        let moved = MemoryBlockDevice(sectorSize: 1024, contents: disk.bytes)
        #expect(throws: KeyValueError.corrupt) { try KeyValueStore.open(moved) }
    }

    /// Every single-byte flip anywhere in a small store's used sectors opens to some state
    /// without trapping (most flips just shorten the log).
    @Test func byteFlipsNeverTrap() throws {
        let disk = MemoryBlockDevice(sectorCount: 24)
        try KeyValueStore.format(disk)
        let store = try KeyValueStore.open(disk)
        try store.put(bytes("a"), pattern(300, seed: 1))
        try store.snapshot(bytes("s"))
        var batch = KeyValueBatch()
        batch.put(bytes("b"), pattern(20, seed: 2))
        batch.delete(bytes("a"))
        try store.apply(batch)
        try store.compact()
        try store.put(bytes("c"), bytes("x"))
        try store.sync()
        let image = disk.bytes
        for position in stride(from: 0, to: image.count, by: 3) where image[position] != 0 || position % 64 == 0 {
            var damaged = image
            damaged[position] ^= 0x5A
            let copy = MemoryBlockDevice(contents: damaged)
            if let opened = try? KeyValueStore.open(copy) {
                _ = try? dump(opened)
                try? opened.put(bytes("z"), bytes("after"))
                try? opened.sync()
            }
        }
    }

    @Test func formatOverAnOldStoreForgetsIt() throws {
        let disk = MemoryBlockDevice(sectorCount: 64)
        try KeyValueStore.format(disk)
        let old = try KeyValueStore.open(disk)
        for index in 0..<20 { try old.put(bytes("old\(index)"), pattern(50, seed: index)) }
        try old.sync()
        try KeyValueStore.format(disk)
        let fresh = try KeyValueStore.open(disk)
        #expect(fresh.list().isEmpty)
        // Same-sized records land where the old ones are; the old ones must stay invisible.
        try fresh.put(bytes("old0"), pattern(50, seed: 0))
        try fresh.sync()
        #expect(try KeyValueStore.open(disk).list() == [bytes("old0")])
    }
}

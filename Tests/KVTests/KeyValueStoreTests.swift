// The store's operations on a RAM disk: get/put/delete/list, batches, limits, reopening.
import Testing
import Capabilities
import KV
import Storage

@Suite struct KeyValueStoreTests {
    @Test func putGetDelete() throws {
        let store = try makeStore()
        #expect(try store.get(bytes("a")) == nil)
        try store.put(bytes("a"), bytes("one"))
        try store.put(bytes("b"), [])
        #expect(try store.get(bytes("a")) == bytes("one"))
        #expect(try store.get(bytes("b")) == [])
        try store.put(bytes("a"), bytes("two"))
        #expect(try store.get(bytes("a")) == bytes("two"))
        try store.delete(bytes("a"))
        #expect(try store.get(bytes("a")) == nil)
        try store.delete(bytes("missing"))
        #expect(store.count == 1)
    }

    @Test func listsByPrefixInOrderWithLimit() throws {
        let store = try makeStore()
        for key in ["b/2", "a", "b/1", "b/10", "c", "b"] { try store.put(bytes(key), bytes(key)) }
        #expect(store.list() == ["a", "b", "b/1", "b/10", "b/2", "c"].map(bytes))
        #expect(store.list(prefix: bytes("b/")) == ["b/1", "b/10", "b/2"].map(bytes))
        #expect(store.list(prefix: bytes("b"), limit: 2) == ["b", "b/1"].map(bytes))
        #expect(store.list(prefix: bytes("z")).isEmpty)
        #expect(store.list(limit: 0).isEmpty)
    }

    @Test func appliesBatches() throws {
        let store = try makeStore()
        try store.put(bytes("gone"), bytes("x"))
        var batch = KeyValueBatch()
        batch.put(bytes("k1"), bytes("v1"))
        batch.put(bytes("k2"), bytes("v2"))
        batch.delete(bytes("gone"))
        batch.put(bytes("k1"), bytes("v1b"))
        try store.apply(batch)
        #expect(store.list() == ["k1", "k2"].map(bytes))
        #expect(try store.get(bytes("k1")) == bytes("v1b"))
        #expect(throws: KeyValueError.invalidBatch) { try store.apply(KeyValueBatch()) }
        // A bad operation anywhere rejects the whole batch.
        var bad = KeyValueBatch()
        bad.put(bytes("k3"), bytes("v3"))
        bad.put([], bytes("v"))
        #expect(throws: KeyValueError.invalidKey) { try store.apply(bad) }
        #expect(try store.get(bytes("k3")) == nil)
    }

    @Test func enforcesLimits() throws {
        let store = try makeStore(sectors: 4200)
        #expect(throws: KeyValueError.invalidKey) { try store.put([], bytes("v")) }
        #expect(throws: KeyValueError.invalidKey) { try store.put([UInt8](repeating: 1, count: 256), bytes("v")) }
        try store.put([UInt8](repeating: 1, count: 255), bytes("v"))
        #expect(throws: KeyValueError.valueTooLong) {
            try store.put(bytes("big"), [UInt8](repeating: 2, count: KeyValueLimits.maximumValueLength + 1))
        }
        let largest = pattern(KeyValueLimits.maximumValueLength, seed: 3)
        try store.put(bytes("big"), largest)
        #expect(try store.get(bytes("big")) == largest)
        var batch = KeyValueBatch()
        batch.put(bytes("x"), largest)
        batch.put(bytes("y"), pattern(70_000, seed: 4))
        #expect(throws: KeyValueError.invalidBatch) { try store.apply(batch) }
        #expect(throws: KeyValueError.invalidSnapshotName) { try store.snapshot([]) }
        try store.sync()
        let reopened = try KeyValueStore.open(store.device)
        #expect(try reopened.get(bytes("big")) == largest)
    }

    @Test func reopensAfterCleanShutdown() throws {
        let store = try makeStore()
        for index in 0..<40 { try store.put(bytes("key\(index)"), pattern(index * 5, seed: index)) }
        try store.delete(bytes("key7"))
        try store.sync()
        let before = try dump(store)
        let reopened = try KeyValueStore.open(store.device)
        #expect(try dump(reopened) == before)
        try reopened.put(bytes("after"), bytes("reopen"))
        try reopened.sync()
        let again = try KeyValueStore.open(store.device)
        #expect(try again.get(bytes("after")) == bytes("reopen"))
        #expect(again.count == 40)
    }

    /// Reads between appends: values in written sectors, in the tail buffer, and across both,
    /// while the log grows past the read window and compacts.
    @Test func readsBackEveryValueWhileAppending() throws {
        let store = try makeStore(sectors: 64)
        var model: [[UInt8]: [UInt8]] = [:]
        for round in 0..<300 {
            let key = bytes("k\(round % 9)")
            let value = pattern(round * 37 % 1100, seed: round)
            try store.put(key, value)
            model[key] = value
            for (key, value) in model { #expect(try store.get(key) == value) }
            if round % 40 == 0 { try store.sync() }
        }
    }

    @Test func worksOnLargeSectors() throws {
        let store = try makeStore(sectors: 40, sectorSize: 4096)
        var model: [[UInt8]: [UInt8]] = [:]
        for round in 0..<400 {
            let key = bytes("k\(round % 13)")
            let value = pattern(round * 41 % 3000, seed: round)
            try store.put(key, value)
            model[key] = value
            if round % 30 == 0 { try store.sync() }
        }
        try store.sync()
        #expect(try dump(try KeyValueStore.open(store.device)).current == model)
    }

    @Test func unsyncedTailIsReadableBeforeSync() throws {
        let store = try makeStore()
        try store.put(bytes("k"), pattern(700, seed: 1))
        try store.put(bytes("j"), bytes("short"))
        #expect(try store.get(bytes("k")) == pattern(700, seed: 1))
        #expect(try store.get(bytes("j")) == bytes("short"))
    }

    @Test func putsCostNoFlushAndWholeSectors() throws {
        let disk = MemoryBlockDevice(sectorCount: 256)
        try KeyValueStore.format(disk)
        let store = try KeyValueStore.open(disk)
        let writes = disk.writes
        let flushes = disk.flushes
        for index in 0..<100 { try store.put(bytes("key\(index)"), pattern(20, seed: index)) }
        #expect(disk.flushes == flushes)
        // About 67 bytes a record: 100 records fill 13 sectors; only full ones are written.
        #expect(disk.writes - writes <= 14)
        try store.sync()
        #expect(disk.flushes == flushes + 1)
    }

    /// A device without a write cache answers flush with `unsupported`; its writes are durable.
    @Test func deviceWithoutFlushWorks() throws {
        let disk = WriteThroughDevice(sectorCount: 64)
        try KeyValueStore.format(disk)
        let store = try KeyValueStore.open(disk)
        try store.put(bytes("k"), bytes("v"))
        try store.sync()
        try store.compact()
        #expect(try KeyValueStore.open(disk).get(bytes("k")) == bytes("v"))
    }

    @Test func readOnlyDeviceOpensForReading() throws {
        let store = try makeStore()
        try store.put(bytes("k"), bytes("v"))
        try store.sync()
        let image = (store.device as MemoryBlockDevice).bytes
        let readOnly = MemoryBlockDevice(contents: image, isReadOnly: true)
        let reader = try KeyValueStore.open(readOnly)
        #expect(try reader.get(bytes("k")) == bytes("v"))
        #expect(throws: KeyValueError.readOnly) { try reader.put(bytes("k"), bytes("w")) }
    }
}

/// A RAM disk whose flush is `unsupported`, like virtio-blk without VIRTIO_BLK_F_FLUSH.
final class WriteThroughDevice: BlockDevice {
    let inner: MemoryBlockDevice
    init(sectorCount: UInt64) { inner = MemoryBlockDevice(sectorCount: sectorCount) }
    var sectorSize: Int { inner.sectorSize }
    var sectorCount: UInt64 { inner.sectorCount }
    var isReadOnly: Bool { false }
    func read(sector: UInt64, into buffer: UnsafeMutableRawBufferPointer) throws(BlockError) {
        try inner.read(sector: sector, into: buffer)
    }
    func write(sector: UInt64, from buffer: UnsafeRawBufferPointer) throws(BlockError) {
        try inner.write(sector: sector, from: buffer)
    }
    func flush() throws(BlockError) { throw .unsupported }
}

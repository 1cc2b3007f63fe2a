// Compaction: space reclaimed when the log fills, `full` only when live data does not fit.
import Testing
import Capabilities
import KV
import Storage

@Suite struct CompactionTests {
    @Test func fillsSmallDeviceManyTimesOver() throws {
        let disk = MemoryBlockDevice(sectorCount: 24)  // two regions of 11 sectors (5.5 KB)
        try KeyValueStore.format(disk)
        let store = try KeyValueStore.open(disk)
        var model: [[UInt8]: [UInt8]] = [:]
        var written = 0
        for round in 0..<2000 {
            let key = bytes("k\(round % 17)")
            if round % 7 == 3 {
                try store.delete(key)
                model[key] = nil
            } else {
                let value = pattern(round % 90, seed: round)
                try store.put(key, value)
                model[key] = value
                written += value.count
            }
            if round % 50 == 0 { try store.sync() }
        }
        #expect(written > 10 * Int(store.capacityBytes))
        var current: [[UInt8]: [UInt8]] = [:]
        for key in store.list() { current[key] = try store.get(key) }
        #expect(current == model)
        try store.sync()
        let reopened = try KeyValueStore.open(disk)
        #expect(try dump(reopened).current == model)
    }

    @Test func fullOnlyWhenLiveDataDoesNotFit() throws {
        let disk = MemoryBlockDevice(sectorCount: 24)
        try KeyValueStore.format(disk)
        let store = try KeyValueStore.open(disk)
        var stored = 0
        var failure: KeyValueError? = nil
        for index in 0..<100 {
            do {
                try store.put(bytes("key\(index)"), pattern(200, seed: index))
                stored += 1
            } catch {
                failure = error
                break
            }
        }
        #expect(failure == .full)
        // 5632 bytes of region, about 245 bytes a record: 22 fit, and at least 20 must.
        #expect(stored >= 20)
        // The failed put changed nothing; deleting frees room after compaction.
        #expect(store.count == stored)
        try store.delete(bytes("key0"))
        try store.delete(bytes("key1"))
        try store.put(bytes("again"), pattern(200, seed: 1))
        try store.sync()
        let reopened = try KeyValueStore.open(disk)
        #expect(reopened.count == stored - 1)
        #expect(try reopened.get(bytes("again")) == pattern(200, seed: 1))
    }

    @Test func valueLargerThanRegionIsFull() throws {
        let store = try makeStore(sectors: 24)
        try store.put(bytes("small"), bytes("v"))
        #expect(throws: KeyValueError.full) { try store.put(bytes("huge"), pattern(6000, seed: 1)) }
        #expect(try store.get(bytes("small")) == bytes("v"))
        try store.put(bytes("fits"), pattern(3000, seed: 2))
        #expect(try store.get(bytes("fits")) == pattern(3000, seed: 2))
    }

    @Test func compactionOfEmptyStoreAndRepeatedCompaction() throws {
        let store = try makeStore(sectors: 24)
        try store.compact()
        try store.compact()
        #expect(store.list().isEmpty)
        try store.put(bytes("k"), bytes("v"))
        for _ in 0..<5 { try store.compact() }
        #expect(try store.get(bytes("k")) == bytes("v"))
        #expect(try KeyValueStore.open(store.device).get(bytes("k")) == bytes("v"))
    }
}

// Named snapshots: frozen contents, listing, deletion, and survival across reopen and compaction.
import Testing
import Capabilities
import KV
import Storage

@Suite struct SnapshotTests {
    @Test func snapshotKeepsStateAsOfItsCreation() throws {
        let store = try makeStore()
        try store.put(bytes("a"), bytes("1"))
        try store.put(bytes("b"), bytes("2"))
        try store.snapshot(bytes("v1"))
        try store.put(bytes("a"), bytes("changed"))
        try store.delete(bytes("b"))
        try store.put(bytes("c"), bytes("3"))
        #expect(try store.get(bytes("a"), snapshot: bytes("v1")) == bytes("1"))
        #expect(try store.get(bytes("b"), snapshot: bytes("v1")) == bytes("2"))
        #expect(try store.get(bytes("c"), snapshot: bytes("v1")) == nil)
        #expect(try store.list(snapshot: bytes("v1")) == ["a", "b"].map(bytes))
        #expect(try store.list(prefix: bytes("b"), snapshot: bytes("v1")) == [bytes("b")])
        #expect(try store.get(bytes("a")) == bytes("changed"))
        #expect(store.list() == ["a", "c"].map(bytes))
    }

    @Test func namesListingAndDeletion() throws {
        let store = try makeStore()
        try store.put(bytes("k"), bytes("v"))
        try store.snapshot(bytes("second"))
        try store.snapshot(bytes("first"))
        #expect(store.snapshotNames == ["first", "second"].map(bytes))
        #expect(throws: KeyValueError.snapshotExists) { try store.snapshot(bytes("first")) }
        try store.deleteSnapshot(bytes("first"))
        #expect(store.snapshotNames == [bytes("second")])
        #expect(throws: KeyValueError.snapshotNotFound) { try store.deleteSnapshot(bytes("first")) }
        #expect(throws: KeyValueError.snapshotNotFound) { try store.get(bytes("k"), snapshot: bytes("first")) }
        #expect(throws: KeyValueError.snapshotNotFound) { try store.list(snapshot: bytes("nope")) }
    }

    @Test func snapshotsSurviveReopenAndCompaction() throws {
        let store = try makeStore(sectors: 40)
        for index in 0..<10 { try store.put(bytes("key\(index)"), pattern(100, seed: index)) }
        try store.snapshot(bytes("old"))
        for index in 0..<10 { try store.put(bytes("key\(index)"), pattern(100, seed: index + 100)) }
        try store.delete(bytes("key3"))
        try store.snapshot(bytes("new"))
        try store.put(bytes("key0"), bytes("latest"))
        let before = try dump(store)
        try store.compact()
        let after = try dump(store)
        #expect(after == before, "\(after) vs \(before)")
        // Churn well past the region size: automatic compactions must keep both snapshots.
        for round in 0..<60 { try store.put(bytes("churn\(round % 3)"), pattern(150, seed: round)) }
        var expected = before
        for round in 57..<60 { expected.current[bytes("churn\(round % 3)")] = pattern(150, seed: round) }
        #expect(try dump(store) == expected)
        try store.sync()
        #expect(try dump(try KeyValueStore.open(store.device)) == expected)
        try store.deleteSnapshot(bytes("old"))
        try store.compact()
        expected.snapshots[bytes("old")] = nil
        #expect(try dump(store) == expected)
        #expect(try dump(try KeyValueStore.open(store.device)) == expected)
    }

    @Test func sharedValuesAreStoredOnceByCompaction() throws {
        let store = try makeStore(sectors: 64)
        for index in 0..<8 { try store.put(bytes("key\(index)"), pattern(400, seed: index)) }
        for name in ["s1", "s2", "s3", "s4"] { try store.snapshot(bytes(name)) }
        try store.compact()
        // Five maps of eight 400-byte values would need 16 KB; linked, one copy is about 3.5 KB.
        #expect(store.usedBytes < 5000)
        #expect(try store.get(bytes("key5"), snapshot: bytes("s3")) == pattern(400, seed: 5))
        let reopened = try KeyValueStore.open(store.device)
        #expect(try dump(reopened) == (try dump(store)))
    }
}

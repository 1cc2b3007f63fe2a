// Writes the seed corpus of Fuzz/KV when KV_FUZZ_SEEDS names a directory (otherwise checks the
// seeds open): small stores with records, a snapshot, a compaction and a torn tail.
import Testing
import Capabilities
import KV
import Storage
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@Suite struct FuzzSeedTests {
    /// The seed images, trailing zeros trimmed (the fuzz target pads with zeros to 32 sectors).
    func seeds() throws -> [(name: String, image: [UInt8])] {
        var result: [(String, [UInt8])] = []
        let disk = MemoryBlockDevice(sectorCount: 32)
        try KeyValueStore.format(disk)
        let store = try KeyValueStore.open(disk)
        try store.put(bytes("key1"), bytes("value one"))
        try store.put(bytes("key2"), pattern(600, seed: 2))
        try store.delete(bytes("key1"))
        try store.sync()
        result.append(("records", disk.bytes))
        try store.snapshot(bytes("snap"))
        var batch = KeyValueBatch()
        batch.put(bytes("key3"), bytes("three"))
        batch.delete(bytes("key2"))
        try store.apply(batch)
        try store.compact()
        try store.put(bytes("key4"), bytes("after compaction"))
        try store.sync()
        result.append(("compacted-snapshot", disk.bytes))
        try store.put(bytes("key5"), pattern(900, seed: 5))
        try store.sync()
        var torn = disk.bytes
        let end = 2 * 512 + Int(store.capacityBytes) + Int(store.usedBytes)
        for index in end - 300..<end { torn[index] = 0x5A }
        result.append(("torn-tail", torn))
        return result.map { seed in
            var image = seed.1
            while image.last == 0 { image.removeLast() }
            return (seed.0, image)
        }
    }

    @Test func seedsOpen() throws {
        for seed in try seeds() {
            var image = seed.image
            image += [UInt8](repeating: 0, count: 32 * 512 - image.count)
            let store = try KeyValueStore.open(MemoryBlockDevice(contents: image))
            #expect(!store.list().isEmpty)
        }
        guard let directory = getenv("KV_FUZZ_SEEDS") else { return }
        for seed in try seeds() {
            let path = String(cString: directory) + "/" + seed.name
            guard let file = fopen(path, "wb") else { Issue.record("cannot write \(path)"); continue }
            _ = seed.image.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
            fclose(file)
        }
    }
}

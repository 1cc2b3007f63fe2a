// Helpers for the key-value tests: byte strings from text, and whole-store dumps to compare.
import Capabilities
import KV
import Storage

func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

/// Everything a store holds: current entries and every snapshot's, keys in order.
struct StoreDump: Equatable, CustomStringConvertible {
    var current: [[UInt8]: [UInt8]] = [:]
    var snapshots: [[UInt8]: [[UInt8]: [UInt8]]] = [:]

    var description: String {
        func show(_ map: [[UInt8]: [UInt8]]) -> String {
            map.keys.sorted { $0.lexicographicallyPrecedes($1) }
                .map { "\(String(decoding: $0, as: UTF8.self))=\(map[$0]!.count)b" }.joined(separator: ",")
        }
        let names = snapshots.keys.sorted { $0.lexicographicallyPrecedes($1) }
        return "{\(show(current))}" + names.map { " @\(String(decoding: $0, as: UTF8.self)){\(show(snapshots[$0]!))}" }.joined()
    }
}

func dump<Device: BlockDevice>(_ store: KeyValueStore<Device>) throws -> StoreDump {
    var result = StoreDump()
    for key in store.list() { result.current[key] = try store.get(key) }
    for name in store.snapshotNames {
        var map: [[UInt8]: [UInt8]] = [:]
        for key in try store.list(snapshot: name) { map[key] = try store.get(key, snapshot: name) }
        result.snapshots[name] = map
    }
    return result
}

/// A formatted, opened store on a fresh RAM disk.
func makeStore(sectors: UInt64 = 64, sectorSize: Int = 512) throws -> KeyValueStore<MemoryBlockDevice> {
    let disk = MemoryBlockDevice(sectorSize: sectorSize, sectorCount: sectors)
    try KeyValueStore.format(disk)
    return try KeyValueStore.open(disk)
}

/// A value of `length` bytes that differs per `seed`.
func pattern(_ length: Int, seed: Int) -> [UInt8] {
    (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ seed &* 7 &+ 1) }
}

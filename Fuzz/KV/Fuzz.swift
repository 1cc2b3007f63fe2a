/// libFuzzer target for the key-value store's recovery: any disk image opens to a typed error
/// or a store that lists, reads, takes a put and a sync, and reopens to the same contents.
import Capabilities
import Digest
import Storage
import KV

/// Everything the store holds, read through the public interface.
func contents(_ store: KeyValueStore<MemoryBlockDevice>) -> [[UInt8]: [UInt8]] {
    var result: [[UInt8]: [UInt8]] = [:]
    for key in store.list() {
        guard let value = try? store.get(key) else { fatalError("listed key without a value") }
        result[key] = value
    }
    for name in store.snapshotNames {
        guard let keys = try? store.list(snapshot: name) else { fatalError("listed snapshot missing") }
        for key in keys.prefix(8) {
            guard let value = try? store.get(key, snapshot: name) else { fatalError("snapshot key without a value") }
            result[[0xFF] + name + [0] + key] = value
        }
    }
    return result
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    // The input is a disk image of 512-byte sectors: at least 32, at most 256, zero-padded.
    let sectors = Swift.min(Swift.max((size + 511) / 512, 32), 256)
    var image = [UInt8](repeating: 0, count: sectors * 512)
    for index in 0..<Swift.min(size, image.count) { image[index] = data[index] }
    let disk = MemoryBlockDevice(contents: image)
    guard let store = try? KeyValueStore.open(disk) else { return 0 }
    var before = contents(store)
    let listed = store.list(prefix: [0x6B], limit: 3)
    if listed.count > 3 { fatalError("limit ignored") }
    let key: [UInt8] = [0x66, 0x75, 0x7A, 0x7A]  // "fuzz"
    let value = [UInt8](repeating: 0xA5, count: size % 700)
    do {
        try store.put(key, value)
        try store.sync()
    } catch {
        if error != .full { fatalError("put or sync failed on a RAM disk") }
        return 0
    }
    before[key] = value
    guard let reopened = try? KeyValueStore.open(disk) else { fatalError("store did not reopen") }
    if contents(reopened) != before { fatalError("reopened store differs") }
    return 0
}

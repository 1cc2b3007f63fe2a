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

/// Rewrites the CRC of every superblock and of every record found walking each region from its
/// start (regions as a store formatted on this image would place them), so mutated payloads
/// reach the structural checks behind the CRC.
func fixChecksums(_ image: inout [UInt8]) {
    func word(_ offset: Int) -> UInt32 {
        UInt32(image[offset]) | UInt32(image[offset + 1]) << 8 | UInt32(image[offset + 2]) << 16
            | UInt32(image[offset + 3]) << 24
    }
    func store(_ value: UInt32, at offset: Int) {
        for index in 0..<4 { image[offset + index] = UInt8(truncatingIfNeeded: value >> (8 * UInt32(index))) }
    }
    for slot in 0..<2 where image[slot * 512..<slot * 512 + 8].elementsEqual([0x53, 0x45, 0x41, 0x4C, 0x4B, 0x56, 0x30, 0x31]) {
        let checksum = image.withUnsafeBytes { CRC32.checksum(UnsafeRawBufferPointer(rebasing: $0[slot * 512..<slot * 512 + 56])) }
        store(checksum, at: slot * 512 + 56)
    }
    let regionSectors = (image.count / 512 - 2) / 2
    for region in 0..<2 {
        let start = (2 + region * regionSectors) * 512
        let end = start + regionSectors * 512
        var offset = start
        while end - offset >= 32, word(offset) == 0x5256_4B53 {
            let length = Int(word(offset + 8))
            guard length <= end - offset - 32 else { break }
            store(0, at: offset + 12)
            let checksum = image.withUnsafeBytes { CRC32.checksum(UnsafeRawBufferPointer(rebasing: $0[offset..<offset + 32 + length])) }
            store(checksum, at: offset + 12)
            offset += 32 + length
        }
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    // The input is a disk image of 512-byte sectors: at least 32, at most 256, zero-padded.
    let sectors = Swift.min(Swift.max((size + 511) / 512, 32), 256)
    var image = [UInt8](repeating: 0, count: sectors * 512)
    for index in 0..<Swift.min(size, image.count) { image[index] = data[index] }
    // Odd-sized inputs get their checksums repaired (a cheap mode switch that keeps seeds as they are).
    if size % 2 == 1 { fixChecksums(&image) }
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

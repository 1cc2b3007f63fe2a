/// libFuzzer target for the FAT file system: any image mounts or fails with a typed error, and
/// walking, reading and writing whatever is reachable never traps or hangs.
import Capabilities
import FAT

/// A 64 MiB disk whose first sectors are the fuzz input (padded to whole sectors) and the rest
/// zeros, so a small input can hold the start of a FAT32 volume. Writes land in a dictionary.
final class FuzzDisk: BlockDevice {
    let sectorSize = 512
    let sectorCount: UInt64 = 131072
    let isReadOnly = false
    var input: [UInt8]
    var written: [UInt64: [UInt8]] = [:]

    init(_ bytes: UnsafeRawBufferPointer) {
        input = Array(bytes)
        input += [UInt8](repeating: 0, count: (input.count + 511) / 512 * 512 - input.count)
    }

    func read(sector: UInt64, into buffer: UnsafeMutableRawBufferPointer) throws(BlockError) {
        try validate(sector: sector, byteCount: buffer.count, writing: false)
        for index in 0..<buffer.count / 512 {
            let number = sector + UInt64(index)
            let target = UnsafeMutableRawBufferPointer(rebasing: buffer[index * 512..<(index + 1) * 512])
            if let data = written[number] {
                data.withUnsafeBytes { target.copyMemory(from: $0) }
            } else if number < UInt64(input.count / 512) {
                let start = Int(number) * 512
                input.withUnsafeBytes { target.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[start..<start + 512])) }
            } else {
                target.initializeMemory(as: UInt8.self, repeating: 0)
            }
        }
    }

    func write(sector: UInt64, from buffer: UnsafeRawBufferPointer) throws(BlockError) {
        try validate(sector: sector, byteCount: buffer.count, writing: true)
        for index in 0..<buffer.count / 512 {
            written[sector + UInt64(index)] = Array(buffer[index * 512..<(index + 1) * 512])
        }
    }

    func flush() throws(BlockError) {}
}

/// Lists, stats and reads everything under `path`, to a bounded depth and count.
func walk(_ fs: FATFileSystem<FuzzDisk>, _ path: [UInt8], depth: Int, budget: inout Int) {
    guard depth < 6, budget > 0 else { return }
    guard let entries = try? fs.list(path) else { return }
    var buffer = [UInt8](repeating: 0, count: 4096)
    for entry in entries {
        budget -= 1
        if budget <= 0 { return }
        let child = path + [UInt8(ascii: "/")] + entry.name
        _ = try? fs.stat(child)
        if entry.isDirectory {
            walk(fs, child, depth: depth + 1, budget: &budget)
        } else if let file = try? fs.open(child) {
            let count = buffer.withUnsafeMutableBytes { raw in (try? fs.read(file, at: 0, into: raw)) ?? 0 }
            if count < 0 || count > 4096 { fatalError("read returned a bad count") }
            _ = buffer.withUnsafeMutableBytes { raw in try? fs.read(file, at: UInt64(entry.size / 2), into: raw) }
        }
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size >= 512, size <= 4 << 20 else { return 0 }
    let disk = FuzzDisk(UnsafeRawBufferPointer(start: data, count: size))
    guard let fs = try? FATFileSystem(device: disk) else { return 0 }
    var budget = 200
    walk(fs, [UInt8(ascii: "/")], depth: 0, budget: &budget)
    // Writes: a new file, a directory, growth, a rename, removal, then a walk again.
    let payload = [UInt8](repeating: 0x5A, count: 3000)
    _ = try? fs.writeFile(Array("/Fuzz File.txt".utf8), payload)
    _ = try? fs.makeDirectories(Array("/New Dir/Inner".utf8))
    _ = try? fs.rename(Array("/Fuzz File.txt".utf8), to: Array("/New Dir/moved é.txt".utf8))
    _ = try? fs.truncate(Array("/New Dir/moved é.txt".utf8), to: 10_000)
    if let first = try? fs.list([UInt8(ascii: "/")]).first, !first.isDirectory {
        let path = [UInt8(ascii: "/")] + first.name
        _ = payload.withUnsafeBytes { raw in try? fs.write(path, at: 100, from: raw) }
        _ = try? fs.remove(path)
    }
    _ = try? fs.sync()
    budget = 200
    walk(fs, [UInt8(ascii: "/")], depth: 0, budget: &budget)
    return 0
}

/// `diskbench`: measures the storage stack on the board's disk (for `make bench`): a 64 MiB file written and read through FAT on the first partition, then KV puts with a sync every 100 on the second.
import Capabilities
import FAT
import KV
import Runtime
import Storage

public enum Application {
    static var fileBytes: Int { 64 << 20 }
    static var chunkBytes: Int { 64 << 10 }
    static var puts: Int { 5000 }

    public static func main<M: StorageMachine>(machine: inout M) {
        guard let disk = machine.takeDisk() else {
            machine.console.writeLine("diskbench: no disk")
            machine.exit(status: 5)
        }
        guard let table = try? PartitionTable.read(from: disk), table.partitions.count >= 2,
              let volume = try? Partition(table.partitions[0], of: disk),
              let fileSystem = try? FATFileSystem(device: volume),
              let raw = try? Partition(table.partitions[1], of: disk) else {
            machine.console.writeLine("diskbench: the disk needs a FAT partition, then a raw one")
            machine.exit(status: 5)
        }
        let loop = machine.loop
        var chunk = [UInt8](repeating: 0, count: chunkBytes)
        for index in chunk.indices { chunk[index] = UInt8(truncatingIfNeeded: index % 251) }

        // Write, then sync: the time includes making it durable.
        var started = loop.now
        let wrote: Bool = chunk.withUnsafeBytes { bytes in
            do throws(FATError) {
                var file = try fileSystem.openOrCreate(Array("/bench.bin".utf8), truncating: true)
                var offset = 0
                while offset < fileBytes {
                    try fileSystem.write(&file, at: UInt64(offset), from: bytes)
                    offset += chunkBytes
                }
                try fileSystem.sync()
                return true
            } catch {
                return false
            }
        }
        report("fat_write_mbps", bytes: fileBytes, since: started, ok: wrote, machine: &machine)

        started = loop.now
        var intact = true
        let read: Bool = chunk.withUnsafeMutableBytes { bytes in
            do throws(FATError) {
                let file = try fileSystem.open(Array("/bench.bin".utf8))
                var offset = 0
                while offset < fileBytes {
                    var filled = 0
                    while filled < chunkBytes {
                        let count = try fileSystem.read(file, at: UInt64(offset + filled),
                                                        into: UnsafeMutableRawBufferPointer(rebasing: bytes[filled...]))
                        guard count > 0 else { return false }
                        filled += count
                    }
                    if bytes[1000] != UInt8(1000 % 251) { intact = false }
                    offset += chunkBytes
                }
                return true
            } catch {
                return false
            }
        }
        report("fat_read_mbps", bytes: fileBytes, since: started, ok: read && intact, machine: &machine)

        // KV: puts of 100-byte values, a sync after every 100.
        guard (try? KeyValueStore.format(raw)) != nil, let store = try? KeyValueStore.open(raw) else {
            machine.console.writeLine("diskbench: kv_puts_per_second=n/a")
            machine.exit(status: 6)
        }
        let value = [UInt8](repeating: 0x61, count: 100)
        started = loop.now
        var stored = true
        for index in 0..<puts {
            var key = Array("key-".utf8)
            var remaining = index
            repeat {
                key.append(UInt8(ascii: "0") + UInt8(remaining % 10))
                remaining /= 10
            } while remaining > 0
            do throws(KeyValueError) {
                try store.put(key, value)
                if index % 100 == 99 { try store.sync() }
            } catch {
                stored = false
                break
            }
        }
        let elapsed = loop.now.duration(since: started).nanoseconds
        machine.console.write("diskbench: kv_puts_per_second=")
        if stored && elapsed > 0 {
            machine.console.write(decimal: UInt64(puts) * 1_000_000_000 / elapsed)
        } else {
            machine.console.write("n/a")
        }
        machine.console.write(byte: 10)
        machine.console.writeLine("diskbench: done")
        machine.exit(status: 0)
    }

    /// `diskbench: NAME=MB/s` with one decimal (MB = 10^6 bytes), or n/a.
    static func report<M: StorageMachine>(_ name: StaticString, bytes: Int, since started: Instant, ok: Bool,
                                          machine: inout M) {
        let elapsed = machine.loop.now.duration(since: started).nanoseconds
        machine.console.write("diskbench: ")
        machine.console.write(name)
        machine.console.write("=")
        guard ok, elapsed > 0 else {
            machine.console.writeLine("n/a")
            return
        }
        let tenths = UInt64(bytes) * 10_000 / elapsed  // bytes/ns * 1e3 = MB/s; * 10 for tenths
        machine.console.write(decimal: tenths / 10)
        machine.console.write(".")
        machine.console.write(decimal: tenths % 10)
        machine.console.write(byte: 10)
    }
}

/// Opening the store on the board's disk (or one partition of it), formatting it first when it is blank or `format` was given.
import Capabilities
import KV
import Runtime
import Storage

enum StoreOpening {
    /// The store on the machine's disk. A disk that holds no store is formatted only when its
    /// first sectors are all zero or the command line says `format`, so a disk holding
    /// something else is never overwritten by accident. Exits with status 5 when there is no
    /// disk or no usable store. With `partition=N` the store lives in partition N of the disk's
    /// MBR or GPT (an SD card holding the boot partition too), else on the whole disk.
    static func open<M: StorageMachine>(machine: inout M) -> KeyValueStore<Partition<M.Disk>> {
        guard let whole = machine.takeDisk() else {
            machine.console.writeLine("kv: no disk")
            machine.exit(status: 5)
        }
        guard let disk = region(of: whole, machine: &machine) else {
            machine.console.writeLine("kv: no such partition on the disk")
            machine.exit(status: 5)
        }
        let forced = CommandLineWords.contains("format", in: machine.commandLine)
        var failure: KeyValueError? = nil
        if !forced {
            do {
                let store = try KeyValueStore.open(disk)
                report(store, opened: true, console: &machine.console)
                return store
            } catch {
                failure = error
            }
        }
        if forced || (failure == .notAStore && isBlank(disk)) {
            do {
                try KeyValueStore.format(disk)
                let store = try KeyValueStore.open(disk)
                report(store, opened: false, console: &machine.console)
                return store
            } catch {
                failure = error
            }
        }
        machine.console.write("kv: no store on the disk (")
        switch failure {
        case .notAStore?: machine.console.write("it holds something else; start with `format` to erase it")
        case .corrupt?: machine.console.write("no valid superblock")
        case .unsupportedDevice?: machine.console.write("the disk is too small or its sectors are unsupported")
        case .readOnly?: machine.console.write("the disk is read-only")
        default: machine.console.write("the disk failed")
        }
        machine.console.writeLine(")")
        machine.exit(status: 5)
    }

    /// The whole disk, or the partition `partition=N` names.
    static func region<M: StorageMachine>(of disk: M.Disk, machine: inout M) -> Partition<M.Disk>? {
        guard let word = CommandLineWords.value(of: "partition", in: machine.commandLine) else {
            return try? Partition(base: disk, firstSector: 0, sectorCount: disk.sectorCount)
        }
        guard let table = try? PartitionTable.read(from: disk),
              let entry = table.partitions.first(where: { CommandLineWords.equals(word, decimal: $0.number) })
        else { return nil }
        machine.console.write("kv: partition ")
        machine.console.write(decimal: entry.number)
        machine.console.write(", ")
        machine.console.write(decimal: entry.sectorCount)
        machine.console.writeLine(" sectors")
        return try? Partition(entry, of: disk)
    }

    /// Whether the first 64 KiB of the disk are zero (a new disk image).
    static func isBlank<Disk: BlockDevice>(_ disk: Disk) -> Bool {
        let count = Swift.min(UInt64(65536 / disk.sectorSize), disk.sectorCount)
        guard count > 0 else { return false }
        var buffer = [UInt8](repeating: 0, count: Int(count) * disk.sectorSize)
        let read: Bool = buffer.withUnsafeMutableBytes { bytes in
            do throws(BlockError) {
                try disk.read(sector: 0, into: bytes)
                return true
            } catch {
                return false
            }
        }
        return read && buffer.allSatisfy { $0 == 0 }
    }

    /// `kv: opened a store: N keys, M snapshots, U of C bytes of log in use`.
    static func report<Disk: BlockDevice, Output: Console>(_ store: KeyValueStore<Disk>, opened: Bool,
                                                           console: inout Output) {
        console.write(opened ? "kv: opened a store: " : "kv: formatted a new store: ")
        console.write(decimal: store.count)
        console.write(" keys, ")
        console.write(decimal: store.snapshotNames.count)
        console.write(" snapshots, ")
        console.write(decimal: store.usedBytes)
        console.write(" of ")
        console.write(decimal: store.capacityBytes)
        console.writeLine(" bytes of log in use")
    }
}

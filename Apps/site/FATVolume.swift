/// Finding and mounting the FAT volume of the board's disk, with one console line saying what was found.
import Capabilities
import FAT
import Runtime
import Storage

enum FATVolume {
    /// The file system on the first FAT partition of the machine's disk (or on the whole disk
    /// when it has no partition table), or on partition N with `partition=N` (an SD card whose
    /// first partition is the boot partition). Exits with status 5 when there is no disk or no
    /// FAT volume on it, 6 when the volume does not mount.
    static func open<M: StorageMachine>(machine: inout M, application: StaticString, writable: Bool)
        -> FATFileSystem<Partition<M.Disk>> {
        guard let disk = machine.takeDisk() else {
            machine.console.write(application)
            machine.console.writeLine(": no disk")
            machine.exit(status: 5)
        }
        var partition: Partition<M.Disk>? = nil
        if let word = CommandLineWords.value(of: "partition", in: machine.commandLine) {
            if let table = try? PartitionTable.read(from: disk),
               let entry = table.partitions.first(where: { CommandLineWords.equals(word, decimal: $0.number) }) {
                partition = try? Partition(entry, of: disk, readOnly: !writable)
            }
        } else {
            partition = try? PartitionTable.firstFATPartition(of: disk, readOnly: !writable)
        }
        guard let partition else {
            machine.console.write(application)
            machine.console.writeLine(": no FAT partition on the disk")
            machine.exit(status: 5)
        }
        let fileSystem: FATFileSystem<Partition<M.Disk>>
        do {
            fileSystem = try FATFileSystem(device: partition)
        } catch {
            machine.console.write(application)
            machine.console.writeLine(": the FAT partition does not mount")
            machine.exit(status: 6)
        }
        machine.console.write(application)
        machine.console.write(": ")
        switch fileSystem.type {
        case .fat12: machine.console.write("FAT12")
        case .fat16: machine.console.write("FAT16")
        case .fat32: machine.console.write("FAT32")
        }
        machine.console.write(" volume, ")
        machine.console.write(decimal: partition.sectorCount)
        machine.console.write(" sectors from sector ")
        machine.console.write(decimal: partition.firstSector)
        machine.console.writeLine(partition.isReadOnly ? ", read-only" : ", read-write")
        return fileSystem
    }
}

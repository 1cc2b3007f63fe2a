/// libFuzzer target for partition tables: any disk image gives a table or a typed error, and every partition found opens and reads.
import Capabilities
import Storage

/// The image as a disk: the first input byte chooses the sector size (bit 0: 4096, else 512)
/// and whether to wipe the primary GPT header so the backup at the last sector is read (bit 1);
/// the rest is padded with zeros to whole sectors and cut at 64 KiB / 64 sectors.
func makeDisk(_ input: UnsafeRawBufferPointer) -> MemoryBlockDevice {
    let options = input.isEmpty ? 0 : input[0]
    let sectorSize = options & 1 == 1 ? 4096 : 512
    let limit = sectorSize == 4096 ? 16 * 4096 : 64 * 512
    let body = input.isEmpty ? UnsafeRawBufferPointer(start: nil, count: 0) : UnsafeRawBufferPointer(rebasing: input[1...])
    var bytes = Array(body.prefix(limit))
    let sectors = max(1, (bytes.count + sectorSize - 1) / sectorSize)
    bytes += [UInt8](repeating: 0, count: sectors * sectorSize - bytes.count)
    if options & 2 == 2 && sectors > 1 {
        for index in sectorSize..<2 * sectorSize { bytes[index] = 0 }
    }
    return MemoryBlockDevice(sectorSize: sectorSize, contents: bytes)
}

/// Reads the first and last sector of `partition`; both must succeed, as the window was checked.
func touch(_ partition: Partition<MemoryBlockDevice>, _ buffer: UnsafeMutableRawBufferPointer) {
    guard partition.sectorCount > 0 else { return }
    do {
        try partition.read(sector: 0, into: buffer)
        try partition.read(sector: partition.sectorCount - 1, into: buffer)
    } catch {
        fatalError("a partition's own sectors did not read")
    }
    // One past the end must be refused.
    do {
        try partition.read(sector: partition.sectorCount, into: buffer)
        fatalError("a read past the partition succeeded")
    } catch {}
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let disk = makeDisk(UnsafeRawBufferPointer(start: data, count: size))
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: disk.sectorSize, alignment: 8)
    defer { buffer.deallocate() }
    guard let table = try? PartitionTable.read(from: disk) else {
        // Errors must be stable: the convenience call fails too.
        if (try? PartitionTable.firstFATPartition(of: disk)) != nil { fatalError("read failed but firstFATPartition did not") }
        return 0
    }
    if table.kind != .none && table.wholeDiskIsFAT { fatalError("a table and a whole-disk FAT volume") }
    for entry in table.partitions {
        guard entry.sectorCount > 0, entry.firstSector > 0, entry.firstSector < disk.sectorCount,
              entry.sectorCount <= disk.sectorCount - entry.firstSector else { fatalError("partition outside the disk") }
        guard let partition = try? Partition(entry, of: disk) else { fatalError("a listed partition did not open") }
        touch(partition, buffer)
    }
    do {
        if let volume = try PartitionTable.firstFATPartition(of: disk) { touch(volume, buffer) }
    } catch {
        fatalError("firstFATPartition failed where read succeeded")
    }
    return 0
}

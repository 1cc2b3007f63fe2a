// Test helpers: MBR and GPT images written byte by byte, for layouts the real tools refuse to make.
import Capabilities
import Digest
import Storage

/// A little-endian writer over a whole disk image in memory.
struct HandmadeDisk {
    var bytes: [UInt8]
    let sectorSize: Int

    init(sectorCount: Int, sectorSize: Int = 512) {
        bytes = [UInt8](repeating: 0, count: sectorCount * sectorSize)
        self.sectorSize = sectorSize
    }

    var sectorCount: Int { bytes.count / sectorSize }

    mutating func set(_ value: UInt64, at offset: Int, width: Int) {
        for index in 0..<width { bytes[offset + index] = UInt8(truncatingIfNeeded: value >> UInt64(8 * index)) }
    }

    func get(at offset: Int, width: Int) -> UInt64 {
        (0..<width).reduce(0) { $0 | UInt64(bytes[offset + $1]) << UInt64(8 * $1) }
    }

    mutating func set(_ guid: GUID, at offset: Int) {
        set(guid.low, at: offset, width: 8)
        set(guid.high, at: offset + 8, width: 8)
    }

    /// Writes 0x55AA at the end of the first 512 bytes of `sector`.
    mutating func sign(sector: Int) {
        bytes[sector * sectorSize + 510] = 0x55
        bytes[sector * sectorSize + 511] = 0xAA
    }

    /// Writes MBR/EBR entry `slot` of the record at `sector` and signs the record.
    mutating func setRecordEntry(sector: Int, slot: Int, type: UInt8, start: UInt32, count: UInt32, boot: UInt8 = 0) {
        let offset = sector * sectorSize + 446 + 16 * slot
        bytes[offset] = boot
        bytes[offset + 4] = type
        set(UInt64(start), at: offset + 8, width: 4)
        set(UInt64(count), at: offset + 12, width: 4)
        sign(sector: sector)
    }

    func device() -> MemoryBlockDevice { MemoryBlockDevice(sectorSize: sectorSize, contents: bytes) }

    // MARK: GPT

    struct Entry {
        var type: GUID
        var unique = GUID(0x1111_2222, 0x3333, 0x4444, 0x5555, 0x6666_7777_8888)
        var first: UInt64
        var last: UInt64
        var attributes: UInt64 = 0
        var name: String = ""
    }

    /// A GPT disk: protective MBR, primary header at LBA 1 and array at LBA 2, backup array just
    /// before the backup header at the last LBA; every CRC correct.
    static func gpt(sectorCount: Int, sectorSize: Int = 512, entryCount: Int = 4, entrySize: Int = 128,
                    entries: [Entry]) -> HandmadeDisk {
        var disk = HandmadeDisk(sectorCount: sectorCount, sectorSize: sectorSize)
        disk.setRecordEntry(sector: 0, slot: 0, type: 0xEE, start: 1, count: UInt32(min(sectorCount - 1, Int(UInt32.max))))
        let arraySectors = max(1, (entryCount * entrySize + sectorSize - 1) / sectorSize)
        let last = sectorCount - 1
        for (lba, arrayLBA, alternate) in [(1, 2, last), (last, last - arraySectors, 1)] {
            for (index, entry) in entries.enumerated() {
                let offset = arrayLBA * sectorSize + index * entrySize
                disk.set(entry.type, at: offset)
                disk.set(entry.unique, at: offset + 16)
                disk.set(entry.first, at: offset + 32, width: 8)
                disk.set(entry.last, at: offset + 40, width: 8)
                disk.set(entry.attributes, at: offset + 48, width: 8)
                for (unit, code) in entry.name.utf16.prefix(36).enumerated() {
                    disk.set(UInt64(code), at: offset + 56 + 2 * unit, width: 2)
                }
            }
            let header = lba * sectorSize
            disk.bytes.replaceSubrange(header..<header + 8, with: Array("EFI PART".utf8))
            disk.set(0x0001_0000, at: header + 8, width: 4)
            disk.set(92, at: header + 12, width: 4)
            disk.set(UInt64(lba), at: header + 24, width: 8)
            disk.set(UInt64(alternate), at: header + 32, width: 8)
            disk.set(UInt64(2 + arraySectors), at: header + 40, width: 8)
            disk.set(UInt64(last - arraySectors - 1), at: header + 48, width: 8)
            disk.set(GUID(0xDEAD_BEEF, 0x0102, 0x0304, 0x0506, 0x0708_090A_0B0C), at: header + 56)
            disk.set(UInt64(arrayLBA), at: header + 72, width: 8)
            disk.set(UInt64(entryCount), at: header + 80, width: 4)
            disk.set(UInt64(entrySize), at: header + 84, width: 4)
            disk.resealArray(headerLBA: lba)
        }
        return disk
    }

    /// Recomputes the entry-array CRC of the header at `headerLBA` from the array it points to,
    /// then the header's own CRC.
    mutating func resealArray(headerLBA: Int) {
        let header = headerLBA * sectorSize
        let arrayStart = Int(get(at: header + 72, width: 8)) * sectorSize
        let length = Int(get(at: header + 80, width: 4)) * Int(get(at: header + 84, width: 4))
        let crc = bytes[arrayStart..<arrayStart + length].withUnsafeBytes { CRC32.checksum($0) }
        set(UInt64(crc), at: header + 88, width: 4)
        resealHeader(lba: headerLBA)
    }

    /// Recomputes the CRC of the header at `lba` over its HeaderSize bytes, CRC field zeroed.
    mutating func resealHeader(lba: Int) {
        let header = lba * sectorSize
        set(0, at: header + 16, width: 4)
        let size = Int(get(at: header + 12, width: 4))
        let crc = bytes[header..<header + size].withUnsafeBytes { CRC32.checksum($0) }
        set(UInt64(crc), at: header + 16, width: 4)
    }

    /// Changes a header field of width `width` at `field` and fixes the header's CRC, so the
    /// reader's later checks (not the CRC) see the change.
    mutating func setHeaderField(lba: Int, field: Int, value: UInt64, width: Int) {
        set(value, at: lba * sectorSize + field, width: width)
        resealHeader(lba: lba)
    }
}

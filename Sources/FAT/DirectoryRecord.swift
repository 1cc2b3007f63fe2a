/// One file or directory as a directory scan finds it: its name and its 32-byte short entry
/// (Microsoft FAT spec 6).

struct DirectoryRecord {
    /// The long name, or the short name for display when there is no valid long name.
    var name: [UInt16]
    /// The 32-byte short entry.
    var entry: [UInt8]
    /// Slot (32-byte index in the directory) of the first long-name piece, or of the short entry.
    var firstSlot: Int
    /// Slot of the short entry.
    var slot: Int
    /// Where the short entry lies on the device.
    var sector: UInt64
    var offset: Int
    var hasLongName: Bool

    static let directoryAttribute: UInt8 = 0x10
    static let volumeLabelAttribute: UInt8 = 0x08
    static let archiveAttribute: UInt8 = 0x20

    var attributes: UInt8 { entry[11] }
    var isDirectory: Bool { attributes & Self.directoryAttribute != 0 }
    var size: UInt32 { entry.littleUInt32(at: 28) }
    /// `.` or `..`.
    var isDotEntry: Bool { entry[0] == UInt8(ascii: ".") }

    /// The first cluster; the high half only counts on FAT32 (spec 6.1, DIR_FstClusHI).
    func firstCluster(_ type: FATType) -> UInt32 {
        let low = UInt32(entry.littleUInt16(at: 26))
        return type == .fat32 ? (UInt32(entry.littleUInt16(at: 20)) << 16 | low) & 0x0FFF_FFFF : low
    }

    func info(_ type: FATType) -> FATFileInfo {
        FATFileInfo(name: UnicodeText.utf8(fromUTF16: name), size: isDirectory ? 0 : size, isDirectory: isDirectory,
                    firstCluster: firstCluster(type), attributes: attributes,
                    modified: FATTimestamp(date: entry.littleUInt16(at: 24), time: entry.littleUInt16(at: 22)))
    }

    /// A short entry with `name`, `attributes` and `cluster`, stamped `time`.
    static func makeEntry(name: [UInt8], attributes: UInt8, cluster: UInt32, size: UInt32,
                          time: FATTimestamp) -> [UInt8] {
        var entry = [UInt8](repeating: 0, count: 32)
        for index in 0..<11 { entry[index] = name[index] }
        entry[11] = attributes
        entry.setLittleUInt16(time.time, at: 14)
        entry.setLittleUInt16(time.date, at: 16)
        entry.setLittleUInt16(time.date, at: 18)
        setCluster(cluster, in: &entry)
        entry.setLittleUInt16(time.time, at: 22)
        entry.setLittleUInt16(time.date, at: 24)
        entry.setLittleUInt32(size, at: 28)
        return entry
    }

    static func setCluster(_ cluster: UInt32, in entry: inout [UInt8], at base: Int = 0) {
        entry.setLittleUInt16(UInt16(truncatingIfNeeded: cluster >> 16), at: base + 20)
        entry.setLittleUInt16(UInt16(truncatingIfNeeded: cluster), at: base + 26)
    }
}

/// What `stat` and `list` report about a file or directory.
public struct FATFileInfo: Equatable, Sendable {
    /// The name as UTF-8: the long name if there is one.
    public var name: [UInt8]
    /// Bytes; 0 for directories.
    public var size: UInt32
    public var isDirectory: Bool
    /// 0 for an empty file (and for the fixed root directory of FAT12/16).
    public var firstCluster: UInt32
    /// Spec 6.1: 0x01 read-only, 0x02 hidden, 0x04 system, 0x10 directory, 0x20 archive.
    public var attributes: UInt8
    public var modified: FATTimestamp

    public init(name: [UInt8], size: UInt32, isDirectory: Bool, firstCluster: UInt32, attributes: UInt8,
                modified: FATTimestamp) {
        self.name = name
        self.size = size
        self.isDirectory = isDirectory
        self.firstCluster = firstCluster
        self.attributes = attributes
        self.modified = modified
    }
}

/// An open file: where its entry lies and its size and first cluster, kept current by the
/// operations that take it `inout`. Another handle to the same file goes stale when one writes.
public struct FATFile: Equatable, Sendable {
    public internal(set) var size: UInt32
    public internal(set) var firstCluster: UInt32
    public let isDirectory: Bool
    let entrySector: UInt64
    let entryOffset: Int
}

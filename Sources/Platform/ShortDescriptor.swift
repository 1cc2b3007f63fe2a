/// Encodings of ARMv7 short-descriptor translation table entries (ARM ARM B3.5.1).

/// How a region of memory may be used once the image is sealed.
public enum MemoryAccess {
    /// Image text: read-only, executable.
    case text
    /// Read-only data: read-only, execute-never.
    case readOnly
    /// Data, stacks, heap: read/write, execute-never.
    case readWrite
    /// MMIO: device memory (no speculation, no merging), read/write, execute-never.
    case device
}

enum ShortDescriptor {
    // Section (first level, 1 MiB): bits[1:0]=0b10, B=2, C=3, XN=4, AP[1:0]=11:10, TEX=14:12, AP[2]=15, S=16.
    static let sectionType: UInt32 = 0b10
    static let coarseTableType: UInt32 = 0b01
    static let sectionExecuteNever: UInt32 = 1 << 4
    static let sectionReadOnly: UInt32 = 1 << 15
    static let sectionBase: UInt32 = 0xfff0_0000

    static func section(physical: UInt32, _ access: MemoryAccess) -> UInt32 {
        // AP[1:0] = 01: PL1 access only; AP[2] adds read-only.
        var entry = (physical & sectionBase) | sectionType | (1 << 10)
        switch access {
        case .device:
            entry |= (1 << 2) | sectionExecuteNever               // TEX=000 C=0 B=1: shareable device
        case .text, .readOnly, .readWrite:
            entry |= (1 << 12) | (1 << 3) | (1 << 2) | (1 << 16) // TEX=001 C=1 B=1: write-back write-allocate, shareable
            if access != .text { entry |= sectionExecuteNever }
            if access != .readWrite { entry |= sectionReadOnly }
        }
        return entry
    }

    static func coarseTable(physical: UInt32) -> UInt32 { (physical & 0xffff_fc00) | coarseTableType }

    // Small page (second level, 4 KiB): XN=0, bit1=1, B=2, C=3, AP[1:0]=5:4, TEX=8:6, AP[2]=9, S=10.
    static let pageExecuteNever: UInt32 = 1 << 0
    static let pageReadOnly: UInt32 = 1 << 9

    static func smallPage(physical: UInt32, _ access: MemoryAccess) -> UInt32 {
        var entry = (physical & 0xffff_f000) | 0b10 | (1 << 4)
        switch access {
        case .device:
            entry |= (1 << 2) | pageExecuteNever
        case .text, .readOnly, .readWrite:
            entry |= (1 << 6) | (1 << 3) | (1 << 2) | (1 << 10)
            if access != .text { entry |= pageExecuteNever }
            if access != .readWrite { entry |= pageReadOnly }
        }
        return entry
    }

    /// Writable and executable at once: what sealing forbids.
    static func sectionIsWritableAndExecutable(_ entry: UInt32) -> Bool {
        entry & 0b11 == sectionType && entry & sectionExecuteNever == 0 && entry & sectionReadOnly == 0
    }

    static func pageIsWritableAndExecutable(_ entry: UInt32) -> Bool {
        entry & 0b10 != 0 && entry & pageExecuteNever == 0 && entry & pageReadOnly == 0
    }
}

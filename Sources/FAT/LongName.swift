/// VFAT long names: validation, the pieces of 13 UTF-16 units and the short-name checksum
/// (Microsoft FAT spec 7).

enum LongName {
    /// Units per long-name entry.
    static let unitsPerEntry = 13
    /// Where an entry's 13 units lie: 5 at 1, 6 at 14, 2 at 28 (spec 7, table 4).
    static let unitOffsets: [Int] = [1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30]
    static let attribute: UInt8 = 0x0F
    static let lastFlag: UInt8 = 0x40
    /// ASCII characters no FAT name may hold (spec 6.1 and 7).
    static let forbidden: [UInt8] = [0x22, 0x2A, 0x2F, 0x3A, 0x3C, 0x3E, 0x3F, 0x5C, 0x7C]

    /// A path component as UTF-16, if it is a legal long name: 1 to 255 units, no control
    /// characters, none of `"*/:<>?\|`, not `.` or `..`, and no trailing dot or space (which
    /// other implementations strip, so such a name would not round-trip).
    static func validated(_ utf8: [UInt8]) throws(FATError) -> [UInt16] {
        guard let units = UnicodeText.utf16(fromUTF8: utf8), !units.isEmpty, units.count <= 255 else {
            throw .invalidName
        }
        for unit in units {
            if unit < 0x20 || unit == 0x7F { throw .invalidName }
            if unit < 0x80, forbidden.contains(UInt8(unit)) { throw .invalidName }
        }
        if let last = units.last, last == 0x2E || last == 0x20 { throw .invalidName }
        return units
    }

    /// The checksum of an 11-byte short name that every piece of its long name carries (spec 7.2).
    static func checksum(_ shortName: ArraySlice<UInt8>) -> UInt8 {
        var sum: UInt8 = 0
        for byte in shortName { sum = (sum & 1) << 7 &+ (sum >> 1) &+ byte }
        return sum
    }

    /// How many entries hold `units`.
    static func entryCount(_ units: [UInt16]) -> Int { (units.count + unitsPerEntry - 1) / unitsPerEntry }

    /// Piece `sequence` (1-based) of `units` as a 32-byte entry: the name ends with 0x0000, and
    /// the rest of the last piece is 0xFFFF (spec 7.1).
    static func entry(_ units: [UInt16], sequence: Int, checksum: UInt8) -> [UInt8] {
        var entry = [UInt8](repeating: 0, count: 32)
        let isLast = sequence == entryCount(units)
        entry[0] = UInt8(sequence) | (isLast ? lastFlag : 0)
        entry[11] = attribute
        entry[13] = checksum
        let start = (sequence - 1) * unitsPerEntry
        for index in 0..<unitsPerEntry {
            let position = start + index
            let unit: UInt16 = position < units.count ? units[position] : (position == units.count ? 0 : 0xFFFF)
            entry.setLittleUInt16(unit, at: unitOffsets[index])
        }
        return entry
    }

    /// The 13 units of a long-name entry.
    static func units(of entry: [UInt8], at base: Int) -> [UInt16] {
        var units: [UInt16] = []
        units.reserveCapacity(unitsPerEntry)
        for offset in unitOffsets { units.append(entry.littleUInt16(at: base + offset)) }
        return units
    }
}

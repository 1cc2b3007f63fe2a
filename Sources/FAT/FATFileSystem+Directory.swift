/// Directories as arrays of 32-byte slots: scanning with long-name assembly, lookup, adding and
/// removing entry sets, growth by whole zeroed clusters (Microsoft FAT spec 6 and 7).

extension FATFileSystem {
    /// Spec 6: a directory holds at most 65536 entries (2 MiB).
    static var maximumSlots: Int { 65536 }

    /// Where slot `slot` of `directory` lies, or nil past the directory's end.
    func slotLocation(_ directory: UInt32, _ slot: Int) throws(FATError) -> (sector: UInt64, offset: Int)? {
        let sectorSize = layout.bytesPerSector
        if directory == 0 {
            guard slot < layout.rootEntryCount else { return nil }
            let byte = slot * 32
            return (layout.rootDirectorySector + UInt64(byte / sectorSize), byte % sectorSize)
        }
        let perCluster = layout.bytesPerCluster / 32
        guard let cluster = try cluster(directory, at: UInt32(slot / perCluster)) else { return nil }
        let byte = (slot % perCluster) * 32
        return (layout.sector(ofCluster: cluster) + UInt64(byte / sectorSize), byte % sectorSize)
    }

    func loadDirectorySector(_ sector: UInt64) throws(FATError) {
        if directoryBufferSector == sector { return }
        directoryBufferSector = nil
        try readSector(sector, into: &directoryBuffer)
        directoryBufferSector = sector
    }

    /// Replaces the 32 bytes at `offset` of `sector` with `entry` (from `base`).
    func writeEntry(_ sector: UInt64, _ offset: Int, _ entry: [UInt8], base: Int = 0) throws(FATError) {
        try loadDirectorySector(sector)
        for index in 0..<32 { directoryBuffer[offset + index] = entry[base + index] }
        try writeSector(sector, from: directoryBuffer)
        directoryBufferSector = sector
    }

    /// Calls `visit` with each live entry set of `directory` in order (dot entries included,
    /// volume labels not) until it returns false. A long name counts only if its pieces are
    /// complete, in order, and carry the short entry's checksum (spec 7.2); else the short name
    /// is used.
    func scan(_ directory: UInt32, _ visit: (DirectoryRecord) throws(FATError) -> Bool) throws(FATError) {
        var pieces: [UInt16] = []
        var pending = false
        var nextSequence = 0
        var checksum: UInt8 = 0
        var firstSlot = 0
        var slot = 0
        while slot < Self.maximumSlots {
            guard let (sector, offset) = try slotLocation(directory, slot) else { return }
            try loadDirectorySector(sector)
            let first = directoryBuffer[offset]
            if first == 0x00 { return }   // spec 6.1: no live entry follows
            let attributes = directoryBuffer[offset + 11]
            if first == 0xE5 {
                pending = false
            } else if attributes & 0x3F == LongName.attribute {
                let sequence = Int(first & 0x1F)
                if first & LongName.lastFlag != 0, sequence >= 1, sequence <= 20 {
                    pending = true
                    pieces = [UInt16](repeating: 0, count: sequence * LongName.unitsPerEntry)
                    checksum = directoryBuffer[offset + 13]
                    firstSlot = slot
                    nextSequence = sequence
                }
                if pending, sequence == nextSequence, sequence >= 1, directoryBuffer[offset + 13] == checksum {
                    let units = LongName.units(of: directoryBuffer, at: offset)
                    for index in 0..<LongName.unitsPerEntry {
                        pieces[(sequence - 1) * LongName.unitsPerEntry + index] = units[index]
                    }
                    nextSequence -= 1
                } else {
                    pending = false
                }
            } else if attributes & DirectoryRecord.volumeLabelAttribute != 0 {
                pending = false
            } else {
                let entry = Array(directoryBuffer[offset..<offset + 32])
                var record = DirectoryRecord(name: [], entry: entry, firstSlot: slot, slot: slot, sector: sector,
                                             offset: offset, hasLongName: false)
                if pending, nextSequence == 0, LongName.checksum(entry[0..<11]) == checksum {
                    var end = 0
                    while end < pieces.count, pieces[end] != 0 { end += 1 }
                    if end > 0 {
                        record.name = Array(pieces[0..<end])
                        record.firstSlot = firstSlot
                        record.hasLongName = true
                    }
                }
                if !record.hasLongName { record.name = ShortName.display(entry, at: 0) }
                pending = false
                if try !visit(record) { return }
            }
            slot += 1
        }
    }

    /// The entry named `units` (case-insensitively, long or short name) in `directory`.
    func lookup(_ directory: UInt32, _ units: [UInt16]) throws(FATError) -> DirectoryRecord? {
        let short = ShortName.exact(units)
        var found: DirectoryRecord? = nil
        try scan(directory) { record throws(FATError) in
            if record.isDotEntry { return true }
            if UnicodeText.equalIgnoringCase(record.name, units)
                || (short != nil && record.entry[0..<11].elementsEqual(short!)) {
                found = record
                return false
            }
            return true
        }
        return found
    }

    /// Every short name in `directory`, for picking a new unique one.
    func shortNames(_ directory: UInt32) throws(FATError) -> Set<[UInt8]> {
        var names = Set<[UInt8]>()
        try scan(directory) { record throws(FATError) in
            names.insert(Array(record.entry[0..<11]))
            return true
        }
        return names
    }

    /// The first slot of `count` consecutive free slots, growing the directory by zeroed
    /// clusters if needed (the fixed root cannot grow).
    func freeSlots(_ directory: UInt32, count: Int) throws(FATError) -> Int {
        var runStart = 0
        var runLength = 0
        var slot = 0
        while slot < Self.maximumSlots {
            guard let (sector, offset) = try slotLocation(directory, slot) else {
                if directory == 0 { throw .directoryFull }
                let perCluster = layout.bytesPerCluster / 32
                guard slot >= perCluster, let last = try cluster(directory, at: UInt32(slot / perCluster - 1)) else {
                    throw .corruptDirectory
                }
                let added = try allocateCluster(after: nil)
                do {
                    try zeroSectors(layout.sector(ofCluster: added), count: layout.sectorsPerCluster)
                } catch {
                    try? freeChain(added)
                    throw error
                }
                try setEntry(last, added)
                continue
            }
            try loadDirectorySector(sector)
            let first = directoryBuffer[offset]
            if first == 0x00 || first == 0xE5 {
                if runLength == 0 { runStart = slot }
                runLength += 1
                if runLength == count { return runStart }
            } else {
                runLength = 0
            }
            slot += 1
        }
        throw .directoryFull
    }

    /// Adds the entry set for `units` to `directory`: long-name pieces when needed and a unique
    /// short name (spec 7.4), then `entry` with that short name. Returns the short entry's place.
    func addEntrySet(_ directory: UInt32, _ units: [UInt16], entry: [UInt8]) throws(FATError) -> (sector: UInt64, offset: Int) {
        let existing = try shortNames(directory)
        var shortName: [UInt8]
        var needsLong = ShortName.needsLongName(units)
        if !needsLong, let exact = ShortName.exact(units), !existing.contains(exact) {
            shortName = exact
        } else {
            needsLong = true
            let (basis, lossy) = ShortName.basis(units)
            var chosen: [UInt8]? = nil
            if !lossy && !existing.contains(basis) {
                chosen = basis
            } else {
                var number = 1
                while number <= 999_999 {
                    let candidate = ShortName.withTail(basis, number: number)
                    if !existing.contains(candidate) {
                        chosen = candidate
                        break
                    }
                    number += 1
                }
            }
            guard let chosen else { throw .directoryFull }
            shortName = chosen
        }
        let longCount = needsLong ? LongName.entryCount(units) : 0
        let first = try freeSlots(directory, count: longCount + 1)
        let checksum = LongName.checksum(shortName[0..<11])
        for index in 0..<longCount {
            guard let (sector, offset) = try slotLocation(directory, first + index) else { throw .corruptDirectory }
            try writeEntry(sector, offset, LongName.entry(units, sequence: longCount - index, checksum: checksum))
        }
        var short = entry
        for index in 0..<11 { short[index] = shortName[index] }
        short[12] = 0
        guard let (sector, offset) = try slotLocation(directory, first + longCount) else { throw .corruptDirectory }
        try writeEntry(sector, offset, short)
        return (sector, offset)
    }

    /// Marks a record's long-name pieces and short entry deleted (spec 6.1: first byte 0xE5).
    func removeEntrySet(_ directory: UInt32, _ record: DirectoryRecord) throws(FATError) {
        var slot = record.firstSlot
        while slot <= record.slot {
            guard let (sector, offset) = try slotLocation(directory, slot) else { throw .corruptDirectory }
            try loadDirectorySector(sector)
            directoryBuffer[offset] = 0xE5
            try writeSector(sector, from: directoryBuffer)
            directoryBufferSector = sector
            slot += 1
        }
    }

    /// Whether `directory` holds nothing but `.` and `..`.
    func isEmptyDirectory(_ directory: UInt32) throws(FATError) -> Bool {
        var empty = true
        try scan(directory) { record throws(FATError) in
            if record.isDotEntry { return true }
            empty = false
            return false
        }
        return empty
    }

    /// The directory cluster a directory record leads to.
    func directoryCluster(_ record: DirectoryRecord) throws(FATError) -> UInt32 {
        guard record.isDirectory else { throw .notADirectory }
        let cluster = record.firstCluster(layout.type)
        // A '..' that names the root holds 0 (spec 6.4); any other directory needs a cluster.
        if cluster == 0 && record.isDotEntry { return rootDirectory }
        guard isDataCluster(cluster) else { throw .corruptDirectory }
        return cluster
    }
}

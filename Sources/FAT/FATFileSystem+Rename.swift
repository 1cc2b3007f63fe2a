/// Renaming and moving entries between directories, keeping '..' right (Microsoft FAT spec 6.4).

extension FATFileSystem {
    /// Renames or moves a file or directory; `.alreadyExists` if `to` names another entry.
    /// A directory cannot move into itself or below itself.
    public func rename(_ from: [UInt8], to: [UInt8]) throws(FATError) {
        let source = try resolve(from)
        guard let record = source.record else { throw .invalidOperation }
        let (target, name) = try parentAndName(to)
        if let existing = try lookup(target, name), !(target == source.parent && existing.slot == record.slot) {
            throw .alreadyExists
        }
        var movedDirectory: UInt32? = nil
        if record.isDirectory {
            let cluster = try directoryCluster(record)
            if target != source.parent {
                try checkNotBelow(target, cluster)
                movedDirectory = cluster
            }
        }
        var entry = record.entry
        for index in 0..<11 { entry[index] = 0x20 }
        if target == source.parent {
            // Same directory: free the old slots first so a case change keeps its short name.
            try removeEntrySet(source.parent, record)
            do {
                _ = try addEntrySet(target, name, entry: entry)
            } catch {
                // Put the old entry set back as it was.
                try? restoreEntrySet(source.parent, record)
                throw error
            }
        } else {
            _ = try addEntrySet(target, name, entry: entry)
            try removeEntrySet(source.parent, record)
        }
        if let movedDirectory {
            // Spec 6.4: '..' holds the parent's cluster, 0 for the root.
            guard let (sector, offset) = try slotLocation(movedDirectory, 1) else { throw .corruptDirectory }
            try loadDirectorySector(sector)
            var dotDot = Array(directoryBuffer[offset..<offset + 32])
            if dotDot[0] == UInt8(ascii: "."), dotDot[1] == UInt8(ascii: ".") {
                DirectoryRecord.setCluster(isRoot(target) ? 0 : target, in: &dotDot)
                try writeEntry(sector, offset, dotDot)
            }
        }
    }

    /// Throws `.invalidOperation` if `directory` is `ancestor` or lies below it, following '..'.
    func checkNotBelow(_ directory: UInt32, _ ancestor: UInt32) throws(FATError) {
        var current = directory
        var depth = 0
        while !isRoot(current) {
            if current == ancestor { throw .invalidOperation }
            depth += 1
            guard depth <= 4096 else { throw .corruptDirectory }
            guard let (sector, offset) = try slotLocation(current, 1) else { throw .corruptDirectory }
            try loadDirectorySector(sector)
            guard directoryBuffer[offset] == UInt8(ascii: "."), directoryBuffer[offset + 1] == UInt8(ascii: ".") else {
                throw .corruptDirectory
            }
            let entry = Array(directoryBuffer[offset..<offset + 32])
            let parent = DirectoryRecord(name: [], entry: entry, firstSlot: 1, slot: 1, sector: sector, offset: offset,
                                         hasLongName: false).firstCluster(layout.type)
            if parent == 0 { return }
            guard isDataCluster(parent) else { throw .corruptDirectory }
            current = parent
        }
    }

    /// Writes back the first bytes of an entry set that `removeEntrySet` marked deleted.
    func restoreEntrySet(_ directory: UInt32, _ record: DirectoryRecord) throws(FATError) {
        var slot = record.firstSlot
        while slot <= record.slot {
            guard let (sector, offset) = try slotLocation(directory, slot) else { throw .corruptDirectory }
            try loadDirectorySector(sector)
            if slot == record.slot {
                directoryBuffer[offset] = record.entry[0]
            } else {
                // Long-name pieces: sequence numbers count down to 1 at the short entry.
                let sequence = UInt8(record.slot - slot)
                directoryBuffer[offset] = sequence | (slot == record.firstSlot ? LongName.lastFlag : 0)
            }
            try writeSector(sector, from: directoryBuffer)
            directoryBufferSector = sector
            slot += 1
        }
    }
}

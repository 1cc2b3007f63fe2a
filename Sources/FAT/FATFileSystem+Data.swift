/// File contents: reading and writing byte ranges over cluster chains, with one device request
/// per run of contiguous clusters, and growing and shrinking chains (Microsoft FAT spec 4).

extension FATFileSystem {
    /// Reads up to `buffer.count` bytes from `offset`; returns how many (0 at or past the end).
    public func read(_ file: FATFile, at offset: UInt64, into buffer: UnsafeMutableRawBufferPointer) throws(FATError) -> Int {
        guard !file.isDirectory else { throw .isADirectory }
        guard offset < UInt64(file.size), buffer.count > 0 else { return 0 }
        let count = Int(Swift.min(UInt64(buffer.count), UInt64(file.size) - offset))
        try transfer(file.firstCluster, offset: offset, count: count) { sector, within, destination, length throws(FATError) in
            try readBytes(sector, within, into: UnsafeMutableRawBufferPointer(rebasing: buffer[destination..<destination + length]))
        }
        return count
    }

    /// Writes `bytes` at `offset`, growing the file (zero-filling any gap past the old end).
    public func write(_ file: inout FATFile, at offset: UInt64, from bytes: UnsafeRawBufferPointer) throws(FATError) {
        guard !file.isDirectory else { throw .isADirectory }
        let (end, overflow) = offset.addingReportingOverflow(UInt64(bytes.count))
        guard !overflow, end <= UInt64(UInt32.max) else { throw .fileTooLarge }
        if offset > UInt64(file.size) { try resize(&file, to: UInt32(offset)) }
        if bytes.isEmpty { return }
        try reserve(&file, bytes: end)
        try transfer(file.firstCluster, offset: offset, count: bytes.count) { sector, within, source, length throws(FATError) in
            try writeBytes(sector, within, from: UnsafeRawBufferPointer(rebasing: bytes[source..<source + length]))
        }
        if end > UInt64(file.size) { file.size = UInt32(end) }
        try storeEntry(file)
    }

    /// Sets the file's size: shrinking frees the clusters past the end, growing writes zeros.
    public func resize(_ file: inout FATFile, to size: UInt32) throws(FATError) {
        guard !file.isDirectory else { throw .isADirectory }
        if size == file.size { return }
        if size < file.size {
            let keep = clusters(for: UInt64(size))
            if keep == 0 {
                if file.firstCluster != 0 { try freeChain(file.firstCluster) }
                file.firstCluster = 0
            } else {
                guard let last = try cluster(file.firstCluster, at: keep - 1) else { throw .chainTooShort }
                if let following = try next(last) {
                    try setEntry(last, layout.type.endOfChain)
                    try freeChain(following)
                }
            }
            file.size = size
            try storeEntry(file)
            return
        }
        // Growing: zeros from the old end, in pieces so memory stays small.
        try reserve(&file, bytes: UInt64(size))
        let zeros = [UInt8](repeating: 0, count: Swift.min(Int(size - file.size), 32768))
        var position = UInt64(file.size)
        while position < UInt64(size) {
            let length = Int(Swift.min(UInt64(zeros.count), UInt64(size) - position))
            try zeros.withBytes { buffer throws(FATError) in
                try transfer(file.firstCluster, offset: position, count: length) { sector, within, source, piece throws(FATError) in
                    try writeBytes(sector, within, from: UnsafeRawBufferPointer(rebasing: buffer[source..<source + piece]))
                }
            }
            position += UInt64(length)
        }
        file.size = size
        try storeEntry(file)
    }

    /// Clusters needed to hold `bytes`.
    func clusters(for bytes: UInt64) -> UInt32 {
        UInt32((bytes + UInt64(layout.bytesPerCluster) - 1) / UInt64(layout.bytesPerCluster))
    }

    /// Makes the chain long enough for `bytes`, allocating clusters after its end; on failure the
    /// clusters just added are freed again.
    func reserve(_ file: inout FATFile, bytes: UInt64) throws(FATError) {
        let needed = clusters(for: bytes)
        if needed == 0 { return }
        var last: UInt32
        var count: UInt32
        var added: UInt32? = nil
        if file.firstCluster == 0 {
            last = try allocateCluster(after: nil)
            file.firstCluster = last
            added = last
            count = 1
        } else {
            // Start from where the size says the chain ends; the cursor makes this cheap.
            let known = clusters(for: UInt64(file.size))
            (last, count) = try lastCluster(file.firstCluster, from: known == 0 ? 0 : known - 1)
        }
        let previousLast = last
        while count < needed {
            do {
                last = try allocateCluster(after: last)
            } catch {
                if let added {
                    try? freeChain(added)
                    file.firstCluster = 0
                } else if previousLast != last {
                    if let following = try? next(previousLast) { try? freeChain(following) }
                    try? setEntry(previousLast, layout.type.endOfChain)
                }
                throw error
            }
            count += 1
        }
    }

    /// Walks the byte range `offset ..< offset + count` of a chain as runs of contiguous
    /// clusters, calling `body(sector, byte offset in it, position in the range, length)`.
    func transfer(_ first: UInt32, offset: UInt64, count: Int,
                  _ body: (UInt64, Int, Int, Int) throws(FATError) -> Void) throws(FATError) {
        let clusterBytes = UInt64(layout.bytesPerCluster)
        var done = 0
        while done < count {
            let position = offset + UInt64(done)
            let index = UInt32(position / clusterBytes)
            let within = Int(position % clusterBytes)
            guard first != 0, let start = try cluster(first, at: index) else { throw .chainTooShort }
            // Extend the run while the next cluster is physically next, up to the transfer limit.
            let wanted = count - done
            let limit = Swift.max(1, Self.maximumTransferSectors / layout.sectorsPerCluster)
            var runClusters = 1
            var runLast = start
            while runClusters < limit, UInt64(within) + UInt64(runClusters) * clusterBytes < UInt64(within + wanted) {
                guard let following = try cluster(first, at: index + UInt32(runClusters)),
                      following == runLast + 1 else { break }
                runLast = following
                runClusters += 1
            }
            let available = runClusters * Int(clusterBytes) - within
            let length = Swift.min(wanted, available)
            let sector = layout.sector(ofCluster: start) + UInt64(within / layout.bytesPerSector)
            try body(sector, within % layout.bytesPerSector, done, length)
            done += length
        }
    }

    /// Reads `buffer.count` bytes that start `within` bytes into `sector` (contiguous sectors).
    func readBytes(_ sector: UInt64, _ within: Int, into buffer: UnsafeMutableRawBufferPointer) throws(FATError) {
        let sectorSize = layout.bytesPerSector
        var sector = sector
        var done = 0
        if within != 0 || buffer.count < sectorSize {
            try readSector(sector, into: &scratch)
            let length = Swift.min(buffer.count, sectorSize - within)
            scratch.withUnsafeBytes { source in
                UnsafeMutableRawBufferPointer(rebasing: buffer[0..<length])
                    .copyMemory(from: UnsafeRawBufferPointer(rebasing: source[within..<within + length]))
            }
            done = length
            sector += 1
        }
        let whole = (buffer.count - done) / sectorSize
        if whole > 0 {
            try readSectors(sector, into: UnsafeMutableRawBufferPointer(rebasing: buffer[done..<done + whole * sectorSize]))
            done += whole * sectorSize
            sector += UInt64(whole)
        }
        if done < buffer.count {
            try readSector(sector, into: &scratch)
            let length = buffer.count - done
            scratch.withUnsafeBytes { source in
                UnsafeMutableRawBufferPointer(rebasing: buffer[done..<buffer.count])
                    .copyMemory(from: UnsafeRawBufferPointer(rebasing: source[0..<length]))
            }
        }
    }

    /// Writes `bytes` starting `within` bytes into `sector`; partial sectors are read, patched
    /// and written back.
    func writeBytes(_ sector: UInt64, _ within: Int, from bytes: UnsafeRawBufferPointer) throws(FATError) {
        let sectorSize = layout.bytesPerSector
        var sector = sector
        var done = 0
        if within != 0 || bytes.count < sectorSize {
            try readSector(sector, into: &scratch)
            let length = Swift.min(bytes.count, sectorSize - within)
            scratch.withUnsafeMutableBytes { target in
                UnsafeMutableRawBufferPointer(rebasing: target[within..<within + length])
                    .copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[0..<length]))
            }
            try writeSector(sector, from: scratch)
            done = length
            sector += 1
        }
        let whole = (bytes.count - done) / sectorSize
        if whole > 0 {
            try writeSectors(sector, from: UnsafeRawBufferPointer(rebasing: bytes[done..<done + whole * sectorSize]))
            done += whole * sectorSize
            sector += UInt64(whole)
        }
        if done < bytes.count {
            try readSector(sector, into: &scratch)
            let length = bytes.count - done
            scratch.withUnsafeMutableBytes { target in
                UnsafeMutableRawBufferPointer(rebasing: target[0..<length])
                    .copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[done..<bytes.count]))
            }
            try writeSector(sector, from: scratch)
        }
    }

    /// Writes a file's size, first cluster and modification time into its short entry.
    func storeEntry(_ file: FATFile) throws(FATError) {
        try loadDirectorySector(file.entrySector)
        var entry = Array(directoryBuffer[file.entryOffset..<file.entryOffset + 32])
        DirectoryRecord.setCluster(file.firstCluster, in: &entry)
        entry.setLittleUInt32(file.size, at: 28)
        entry.setLittleUInt16(timestamp.time, at: 22)
        entry.setLittleUInt16(timestamp.date, at: 24)
        entry.setLittleUInt16(timestamp.date, at: 18)
        try writeEntry(file.entrySector, file.entryOffset, entry)
    }
}

/// The path-level operations: stat, list, open, create, mkdir, remove, rename.

extension FATFileSystem {
    /// A resolved path: the record (nil for the root) and the directory that holds it.
    struct Resolved {
        var record: DirectoryRecord?
        var parent: UInt32
    }

    /// Splits a path at `/`, dropping empty and `.` components; `..` is refused.
    func components(_ path: [UInt8]) throws(FATError) -> [[UInt8]] {
        var parts: [[UInt8]] = []
        for part in path.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: true) {
            if part.count == 1 && part.first == UInt8(ascii: ".") { continue }
            if part.count == 2 && part.allSatisfy({ $0 == UInt8(ascii: ".") }) { throw .invalidName }
            parts.append(Array(part))
        }
        return parts
    }

    /// The directory cluster at the end of `parts` (each must be a directory).
    func directory(_ parts: ArraySlice<[UInt8]>) throws(FATError) -> UInt32 {
        var current = rootDirectory
        for part in parts {
            guard let record = try lookup(current, try LongName.validated(part)) else { throw .notFound }
            current = try directoryCluster(record)
        }
        return current
    }

    func resolve(_ path: [UInt8]) throws(FATError) -> Resolved {
        let parts = try components(path)
        guard let last = parts.last else { return Resolved(record: nil, parent: rootDirectory) }
        let parent = try directory(parts[0..<parts.count - 1])
        guard let record = try lookup(parent, try LongName.validated(last)) else { throw .notFound }
        return Resolved(record: record, parent: parent)
    }

    /// The directory that would hold `path` and the validated last name; the root has none.
    func parentAndName(_ path: [UInt8]) throws(FATError) -> (directory: UInt32, name: [UInt16]) {
        let parts = try components(path)
        guard let last = parts.last else { throw .invalidOperation }
        let name = try LongName.validated(last)
        return (try directory(parts[0..<parts.count - 1]), name)
    }

    func handle(_ record: DirectoryRecord) -> FATFile {
        FATFile(size: record.isDirectory ? 0 : record.size, firstCluster: record.firstCluster(layout.type),
                isDirectory: record.isDirectory, entrySector: record.sector, entryOffset: record.offset)
    }

    // MARK: Queries

    /// Size, kind and first cluster of `path` (`/` or empty is the root directory).
    public func stat(_ path: [UInt8]) throws(FATError) -> FATFileInfo {
        let resolved = try resolve(path)
        guard let record = resolved.record else {
            return FATFileInfo(name: [], size: 0, isDirectory: true, firstCluster: rootDirectory,
                               attributes: DirectoryRecord.directoryAttribute, modified: timestamp)
        }
        return record.info(layout.type)
    }

    /// Whether `path` names a file or directory.
    public func exists(_ path: [UInt8]) throws(FATError) -> Bool {
        do throws(FATError) {
            _ = try resolve(path)
            return true
        } catch {
            if error == .notFound { return false }
            throw error
        }
    }

    /// Calls `body` for each entry of the directory `path` (not `.` and `..`) until it returns false.
    public func forEachEntry(_ path: [UInt8], _ body: (FATFileInfo) throws(FATError) -> Bool) throws(FATError) {
        let resolved = try resolve(path)
        let cluster = try resolved.record.map { record throws(FATError) in try directoryCluster(record) } ?? rootDirectory
        try scan(cluster) { record throws(FATError) in
            if record.isDotEntry { return true }
            return try body(record.info(layout.type))
        }
    }

    /// The entries of the directory `path`, in directory order, without `.` and `..`.
    public func list(_ path: [UInt8]) throws(FATError) -> [FATFileInfo] {
        var entries: [FATFileInfo] = []
        try forEachEntry(path) { info throws(FATError) in
            entries.append(info)
            return true
        }
        return entries
    }

    // MARK: Files

    /// Opens an existing file (or directory, which can only be stat'ed).
    public func open(_ path: [UInt8]) throws(FATError) -> FATFile {
        guard let record = try resolve(path).record else { throw .isADirectory }
        return handle(record)
    }

    /// Creates an empty file; `.alreadyExists` if the name is taken.
    public func create(_ path: [UInt8]) throws(FATError) -> FATFile {
        let (directory, name) = try parentAndName(path)
        if try lookup(directory, name) != nil { throw .alreadyExists }
        let entry = DirectoryRecord.makeEntry(name: [UInt8](repeating: 0x20, count: 11),
                                              attributes: DirectoryRecord.archiveAttribute, cluster: 0, size: 0,
                                              time: timestamp)
        let (sector, offset) = try addEntrySet(directory, name, entry: entry)
        return FATFile(size: 0, firstCluster: 0, isDirectory: false, entrySector: sector, entryOffset: offset)
    }

    /// Opens `path`, creating it empty if missing; with `truncating`, an existing file is emptied.
    public func openOrCreate(_ path: [UInt8], truncating: Bool = false) throws(FATError) -> FATFile {
        do throws(FATError) {
            var file = try open(path)
            if file.isDirectory { throw .isADirectory }
            if truncating { try resize(&file, to: 0) }
            return file
        } catch {
            if error != .notFound { throw error }
        }
        return try create(path)
    }

    /// Reads from the file `path` at `offset` into `buffer`; returns the byte count.
    public func read(_ path: [UInt8], at offset: UInt64, into buffer: UnsafeMutableRawBufferPointer) throws(FATError) -> Int {
        try read(try open(path), at: offset, into: buffer)
    }

    /// The whole file `path`.
    public func readFile(_ path: [UInt8]) throws(FATError) -> [UInt8] {
        let file = try open(path)
        guard !file.isDirectory else { throw .isADirectory }
        // Check the chain before trusting the size with an allocation.
        if file.size > 0, try cluster(file.firstCluster, at: clusters(for: UInt64(file.size)) - 1) == nil {
            throw .chainTooShort
        }
        var bytes = [UInt8](repeating: 0, count: Int(file.size))
        let count = try bytes.withMutableBytes { buffer throws(FATError) in try read(file, at: 0, into: buffer) }
        guard count == bytes.count else { throw .chainTooShort }
        return bytes
    }

    /// Writes into the file `path` (created if missing) at `offset`.
    public func write(_ path: [UInt8], at offset: UInt64, from bytes: UnsafeRawBufferPointer) throws(FATError) {
        var file = try openOrCreate(path)
        try write(&file, at: offset, from: bytes)
    }

    /// Appends to the file `path` (created if missing).
    public func append(_ path: [UInt8], from bytes: UnsafeRawBufferPointer) throws(FATError) {
        var file = try openOrCreate(path)
        try write(&file, at: UInt64(file.size), from: bytes)
    }

    /// Replaces the contents of `path` (created if missing) with `bytes`.
    public func writeFile(_ path: [UInt8], _ bytes: [UInt8]) throws(FATError) {
        var file = try openOrCreate(path, truncating: true)
        try bytes.withBytes { buffer throws(FATError) in try write(&file, at: 0, from: buffer) }
    }

    /// Shrinks or grows (with zeros) the file `path`.
    public func truncate(_ path: [UInt8], to size: UInt32) throws(FATError) {
        var file = try open(path)
        try resize(&file, to: size)
    }

    // MARK: Directories and names

    /// Creates a directory with `.` and `..` (spec 6.4); `.alreadyExists` if the name is taken.
    public func makeDirectory(_ path: [UInt8]) throws(FATError) {
        let (parent, name) = try parentAndName(path)
        if try lookup(parent, name) != nil { throw .alreadyExists }
        let cluster = try allocateCluster(after: nil)
        do {
            try zeroSectors(layout.sector(ofCluster: cluster), count: layout.sectorsPerCluster)
            let sector = layout.sector(ofCluster: cluster)
            var dot = [UInt8](repeating: 0x20, count: 11)
            dot[0] = UInt8(ascii: ".")
            try writeEntry(sector, 0, DirectoryRecord.makeEntry(name: dot, attributes: DirectoryRecord.directoryAttribute,
                                                                 cluster: cluster, size: 0, time: timestamp))
            dot[1] = UInt8(ascii: ".")
            let parentCluster = isRoot(parent) ? 0 : parent
            try writeEntry(sector, 32, DirectoryRecord.makeEntry(name: dot, attributes: DirectoryRecord.directoryAttribute,
                                                                  cluster: parentCluster, size: 0, time: timestamp))
            let entry = DirectoryRecord.makeEntry(name: [UInt8](repeating: 0x20, count: 11),
                                                  attributes: DirectoryRecord.directoryAttribute, cluster: cluster,
                                                  size: 0, time: timestamp)
            _ = try addEntrySet(parent, name, entry: entry)
        } catch {
            try? freeChain(cluster)
            throw error
        }
    }

    /// Creates `path` and any missing directories above it (`mkdir -p`).
    public func makeDirectories(_ path: [UInt8]) throws(FATError) {
        var current = rootDirectory
        var prefix: [UInt8] = []
        for part in try components(path) {
            prefix.append(UInt8(ascii: "/"))
            prefix.append(contentsOf: part)
            let name = try LongName.validated(part)
            if let record = try lookup(current, name) {
                current = try directoryCluster(record)
            } else {
                try makeDirectory(prefix)
                guard let record = try lookup(current, name) else { throw .notFound }
                current = try directoryCluster(record)
            }
        }
    }

    /// Deletes the file `path` and frees its clusters.
    public func remove(_ path: [UInt8]) throws(FATError) {
        let resolved = try resolve(path)
        guard let record = resolved.record else { throw .invalidOperation }
        guard !record.isDirectory else { throw .isADirectory }
        try removeEntrySet(resolved.parent, record)
        let cluster = record.firstCluster(layout.type)
        if cluster != 0 { try freeChain(cluster) }
    }

    /// Deletes the empty directory `path`.
    public func removeDirectory(_ path: [UInt8]) throws(FATError) {
        let resolved = try resolve(path)
        guard let record = resolved.record else { throw .invalidOperation }
        let cluster = try directoryCluster(record)
        guard try isEmptyDirectory(cluster) else { throw .directoryNotEmpty }
        try removeEntrySet(resolved.parent, record)
        try freeChain(cluster)
    }
}

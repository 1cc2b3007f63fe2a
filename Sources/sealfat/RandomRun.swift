// Random operations on the image with Seal's FAT, each mirrored into a host directory.
import FAT
import HostDisk
import Foundation

/// xorshift64: deterministic for a seed.
struct Xorshift {
    var state: UInt64
    mutating func next() -> UInt64 {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return state
    }
    mutating func below(_ bound: Int) -> Int { bound <= 0 ? 0 : Int(next() % UInt64(bound)) }
}

struct RandomRun {
    let fs: FATFileSystem<FileBlockDevice>
    let model: String
    var random: Xorshift
    /// Names that differ even ignoring case; long, short, spaces and non-ASCII.
    static let names = ["a.txt", "B.BIN", "Long File Name.dat", "é", "café crème.md", "x", "Sub Folder", "dir",
                        "ünïcödé folder with a long name", "data.tar.gz", "README", "Ça va", "mixed Case.Txt",
                        "n0", "n1", "n2"]
    var files: [String: Int] = [:]      // path → size
    var directories: Set<String> = [""]

    init(fs: FATFileSystem<FileBlockDevice>, model: String, seed: UInt64) {
        self.fs = fs
        self.model = model
        random = Xorshift(state: seed == 0 ? 0x1234_5678 : seed &* 0x9E37_79B9_7F4A_7C15)
        try? FileManager.default.createDirectory(atPath: model, withIntermediateDirectories: true)
    }

    func host(_ path: String) -> String { model + path }

    mutating func randomData() -> [UInt8] {
        let size = random.below(4) == 0 ? random.below(200_000) : random.below(5000)
        return (0..<size).map { _ in UInt8(truncatingIfNeeded: random.next()) }
    }

    func children(_ directory: String) -> Int {
        (Array(files.keys) + Array(directories)).filter {
            $0 != "" && $0.hasPrefix(directory + "/") && !$0.dropFirst(directory.count + 1).contains("/")
        }.count
    }

    func writeHost(_ path: String, at offset: Int, _ data: [UInt8]) {
        guard let handle = FileHandle(forWritingAtPath: host(path)) else { fail("host open \(path)") }
        let size = Int(handle.seekToEndOfFile())
        if offset > size { handle.write(Data(count: offset - size)) }
        handle.seek(toFileOffset: UInt64(offset))
        handle.write(Data(data))
        handle.closeFile()
    }

    mutating func run(count: Int) {
        var step = 0
        var attempts = 0
        while step < count && attempts < count * 20 {
            attempts += 1
            if operate() { step += 1 }
        }
    }

    /// One random operation; false if it did not apply (then another is drawn).
    mutating func operate() -> Bool {
        let directoryList = directories.sorted()
        let fileList = files.keys.sorted()
        let parent = directoryList[random.below(directoryList.count)]
        let newPath = parent + "/" + Self.names[random.below(Self.names.count)]
        let taken = files[newPath] != nil || directories.contains(newPath)
        let someFile = fileList.isEmpty ? nil : fileList[random.below(fileList.count)]
        let someDirectory = directoryList.count > 1 ? directoryList[1 + random.below(directoryList.count - 1)] : nil
        switch random.below(10) {
        case 0, 1:
            guard !taken else { return false }
            let data = randomData()
            check("create " + newPath) { () throws(FATError) in try fs.writeFile(bytes(newPath), data) }
            _ = FileManager.default.createFile(atPath: host(newPath), contents: Data(data))
            files[newPath] = data.count
        case 2:
            guard let path = someFile else { return false }
            let data = randomData()
            let offset = random.below(files[path]! + 10_000)
            check("write " + path) { () throws(FATError) in
                try withBytes(data) { buffer throws(FATError) in try fs.write(bytes(path), at: UInt64(offset), from: buffer) }
            }
            writeHost(path, at: offset, data)
            files[path] = max(files[path]!, offset + data.count)
        case 3:
            guard let path = someFile else { return false }
            let data = randomData()
            check("append " + path) { () throws(FATError) in
                try withBytes(data) { buffer throws(FATError) in try fs.append(bytes(path), from: buffer) }
            }
            writeHost(path, at: files[path]!, data)
            files[path]! += data.count
        case 4:
            guard let path = someFile else { return false }
            let size = random.below(files[path]! + 20_000)
            check("truncate " + path) { () throws(FATError) in try fs.truncate(bytes(path), to: UInt32(size)) }
            guard truncate(host(path), off_t(size)) == 0 else { fail("host truncate") }
            files[path] = size
        case 5:
            guard let path = someFile else { return false }
            check("rm " + path) { () throws(FATError) in try fs.remove(bytes(path)) }
            try? FileManager.default.removeItem(atPath: host(path))
            files[path] = nil
        case 6, 7:
            guard !taken, newPath.split(separator: "/").count <= 6 else { return false }
            check("mkdir " + newPath) { () throws(FATError) in try fs.makeDirectory(bytes(newPath)) }
            try? FileManager.default.createDirectory(atPath: host(newPath), withIntermediateDirectories: false)
            directories.insert(newPath)
        case 8:
            guard let path = someDirectory, children(path) == 0 else { return false }
            check("rmdir " + path) { () throws(FATError) in try fs.removeDirectory(bytes(path)) }
            try? FileManager.default.removeItem(atPath: host(path))
            directories.remove(path)
        default:
            // Rename a file or a directory (not into itself).
            guard !taken, let path = random.below(2) == 0 ? someFile : someDirectory,
                  !newPath.hasPrefix(path + "/") else { return false }
            check("mv " + path) { () throws(FATError) in try fs.rename(bytes(path), to: bytes(newPath)) }
            do { try FileManager.default.moveItem(atPath: host(path), toPath: host(newPath)) } catch { fail("host mv") }
            if let size = files.removeValue(forKey: path) {
                files[newPath] = size
            } else {
                func moved(_ item: String) -> String {
                    item == path || item.hasPrefix(path + "/") ? newPath + item.dropFirst(path.count) : item
                }
                directories = Set(directories.map(moved))
                files = Dictionary(uniqueKeysWithValues: files.map { (moved($0.key), $0.value) })
            }
        }
        return true
    }
}

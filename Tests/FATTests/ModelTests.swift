// Hundreds of random operations checked against an in-memory model after every step.
import Testing
import FAT
import Storage

@Suite(.enabled(if: Tools.available)) struct ModelTests {
    static let names = ["a.txt", "Long File Name.dat", "é", "café crème.md", "UPPER.TXT", "x", "Sub Folder",
                        "dir", "ünïcödé folder name that is long", "data.tar.gz", "README", "😀 emoji"]

    struct Model {
        var files: [String: [UInt8]] = [:]
        var directories: Set<String> = [""]
        func children(_ directory: String) -> [String] {
            (Array(files.keys) + Array(directories)).filter { path in
                guard path != "" else { return false }
                let parent = String(path[..<path.lastIndex(of: "/")!])
                return parent == directory
            }
        }
    }

    /// Compares the whole Seal tree with the model.
    func compare(_ fs: FATFileSystem<MemoryBlockDevice>, _ model: Model, _ directory: String = "") throws {
        let entries = try fs.list(bytes(directory + "/"))
        let expected = model.children(directory).sorted()
        let actual = entries.map { directory + "/" + String(decoding: $0.name, as: UTF8.self) }.sorted()
        #expect(actual == expected)
        guard actual == expected else { return }
        for entry in entries {
            let path = directory + "/" + String(decoding: entry.name, as: UTF8.self)
            if entry.isDirectory {
                #expect(model.directories.contains(path))
                try compare(fs, model, path)
            } else {
                #expect(try fs.readFile(bytes(path)) == model.files[path], "\(path)")
            }
        }
    }

    @Test(arguments: [(1440, 12, 1), (16 * 1024, 16, 2), (64 * 1024, 32, 3), (1440, 12, 4)])
    func randomOperationsMatchTheModel(_ kilobytes: Int, _ bits: Int, _ seed: UInt64) throws {
        let (disk, fs) = try mount(Tools.makeImage(kilobytes: kilobytes, fatBits: bits, extra: ["-s", "1"]))
        var model = Model()
        var random = SeededRandom(seed: seed)
        for step in 0..<300 {
            let directories = model.directories.sorted()
            let files = model.files.keys.sorted()
            let parent = directories.randomElement(using: &random)!
            let newPath = parent + "/" + Self.names.randomElement(using: &random)!
            let taken = model.files[newPath] != nil || model.directories.contains(newPath)
            let data = (0..<Int.random(in: 0..<6000, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            switch Int.random(in: 0..<10, using: &random) {
            case 0, 1:
                if model.directories.contains(newPath) { continue }
                try fs.writeFile(bytes(newPath), data)
                model.files[newPath] = data
            case 2:
                guard let path = files.randomElement(using: &random) else { continue }
                let offset = Int.random(in: 0...(model.files[path]!.count + 3000), using: &random)
                try data.withUnsafeBytes { try fs.write(bytes(path), at: UInt64(offset), from: $0) }
                var contents = model.files[path]!
                if contents.count < offset + data.count {
                    contents += [UInt8](repeating: 0, count: offset + data.count - contents.count)
                }
                contents.replaceSubrange(offset..<offset + data.count, with: data)
                model.files[path] = contents
            case 3:
                guard let path = files.randomElement(using: &random) else { continue }
                try data.withUnsafeBytes { try fs.append(bytes(path), from: $0) }
                model.files[path]! += data
            case 4:
                guard let path = files.randomElement(using: &random) else { continue }
                let size = Int.random(in: 0...(model.files[path]!.count + 5000), using: &random)
                try fs.truncate(bytes(path), to: UInt32(size))
                var contents = model.files[path]!
                if size < contents.count { contents.removeSubrange(size...) } else {
                    contents += [UInt8](repeating: 0, count: size - contents.count)
                }
                model.files[path] = contents
            case 5:
                guard let path = files.randomElement(using: &random) else { continue }
                try fs.remove(bytes(path))
                model.files[path] = nil
            case 6:
                if taken {
                    #expect(throws: FATError.alreadyExists) { try fs.makeDirectory(bytes(newPath)) }
                    continue
                }
                try fs.makeDirectory(bytes(newPath))
                model.directories.insert(newPath)
            case 7:
                guard let path = directories.filter({ $0 != "" }).randomElement(using: &random) else { continue }
                if model.children(path).isEmpty {
                    try fs.removeDirectory(bytes(path))
                    model.directories.remove(path)
                } else {
                    #expect(throws: FATError.directoryNotEmpty) { try fs.removeDirectory(bytes(path)) }
                }
            case 8:
                guard let path = files.randomElement(using: &random), !taken else { continue }
                try fs.rename(bytes(path), to: bytes(newPath))
                model.files[newPath] = model.files.removeValue(forKey: path)
            default:
                guard let path = directories.filter({ $0 != "" }).randomElement(using: &random), !taken else { continue }
                if newPath.hasPrefix(path + "/") {
                    #expect(throws: FATError.invalidOperation) { try fs.rename(bytes(path), to: bytes(newPath)) }
                    continue
                }
                try fs.rename(bytes(path), to: bytes(newPath))
                model.directories = Set(model.directories.map { $0 == path || $0.hasPrefix(path + "/") ? newPath + $0.dropFirst(path.count) : $0 })
                model.files = Dictionary(uniqueKeysWithValues: model.files.map {
                    ($0.key.hasPrefix(path + "/") ? newPath + $0.key.dropFirst(path.count) : $0.key, $0.value)
                })
            }
            if step % 10 == 0 || step > 280 { try compare(fs, model) }
        }
        try compare(fs, model)
        try fs.sync()
        let fsck = Tools.fsck(disk.bytes)
        #expect(fsck.status == 0, "\(fsck.output)")
        #expect(!fsck.output.contains("Free cluster"), "\(fsck.output)")
        // A fresh mount sees the same tree.
        let (_, again) = try mount(disk.bytes)
        try compare(again, model)
    }
}

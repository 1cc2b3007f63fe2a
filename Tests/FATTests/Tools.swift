// Helpers that run dosfstools and mtools on temporary image files for the FAT tests.
import Foundation
import FAT
import Storage

enum Tools {
    static let available: Bool = FileManager.default.isExecutableFile(atPath: "/usr/sbin/mkfs.fat")
        && FileManager.default.isExecutableFile(atPath: "/usr/bin/mcopy")

    /// Runs a program; returns its exit status and combined output.
    @discardableResult
    static func run(_ arguments: [String]) -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: arguments[0])
        process.arguments = Array(arguments.dropFirst())
        var environment = ProcessInfo.processInfo.environment
        environment["MTOOLS_SKIP_CHECK"] = "1"
        environment["LC_ALL"] = "C.UTF-8"
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { return (-1, "cannot run \(arguments[0])") }
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }

    /// A fresh temporary file path.
    static func temporaryPath(_ suffix: String = ".img") -> String {
        NSTemporaryDirectory() + "seal-fat-" + UUID().uuidString + suffix
    }

    /// A new image from mkfs.fat: `kilobytes` KiB, `fatBits` 12/16/32.
    static func makeImage(kilobytes: Int, fatBits: Int, extra: [String] = []) -> [UInt8] {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = run(["/usr/sbin/mkfs.fat", "-C", "-F", String(fatBits)] + extra + [path, String(kilobytes)])
        precondition(result.status == 0, result.output)
        return [UInt8](FileManager.default.contents(atPath: path)!)
    }

    /// Runs `body` with the image written to a temporary file, and returns the file afterwards.
    static func withImageFile(_ bytes: [UInt8], _ body: (String) -> Void) -> [UInt8] {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        body(path)
        return [UInt8](FileManager.default.contents(atPath: path)!)
    }

    /// `fsck.fat -n` on the image: exit status and output.
    static func fsck(_ bytes: [UInt8]) -> (status: Int32, output: String) {
        var result: (Int32, String) = (0, "")
        _ = withImageFile(bytes) { path in result = run(["/usr/sbin/fsck.fat", "-n", path]) }
        return result
    }

    /// Copies `files` (image path → contents) into the image with mcopy, making directories with mmd.
    static func mcopy(_ bytes: [UInt8], directories: [String], files: [(String, [UInt8])]) -> [UInt8] {
        withImageFile(bytes) { image in
            for directory in directories {
                let result = run(["/usr/bin/mmd", "-i", image, "::" + directory])
                precondition(result.status == 0, result.output)
            }
            for (name, contents) in files {
                let source = temporaryPath(".data")
                _ = FileManager.default.createFile(atPath: source, contents: Data(contents))
                let result = run(["/usr/bin/mcopy", "-i", image, source, "::" + name])
                try? FileManager.default.removeItem(atPath: source)
                precondition(result.status == 0, result.output)
            }
        }
    }

    /// `mtype` of one file, as bytes.
    static func mtype(_ bytes: [UInt8], _ name: String) -> [UInt8]? {
        var contents: [UInt8]? = nil
        _ = withImageFile(bytes) { image in
            let target = temporaryPath(".out")
            let result = run(["/usr/bin/mcopy", "-n", "-i", image, "::" + name, target])
            if result.status == 0 { contents = FileManager.default.contents(atPath: target).map { [UInt8]($0) } }
            try? FileManager.default.removeItem(atPath: target)
        }
        return contents
    }

    /// `mdir -b` (bare, recursive) output lines.
    static func mdirBare(_ bytes: [UInt8], _ directory: String = "/") -> [String] {
        var lines: [String] = []
        _ = withImageFile(bytes) { image in
            let result = run(["/usr/bin/mdir", "-b", "-/", "-i", image, "::" + directory])
            lines = result.output.split(separator: "\n").map(String.init)
        }
        return lines
    }
}

/// Bytes of a path or name.
func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

/// Mounts `image` on a memory disk.
func mount(_ image: [UInt8]) throws -> (MemoryBlockDevice, FATFileSystem<MemoryBlockDevice>) {
    let disk = MemoryBlockDevice(contents: image)
    return (disk, try FATFileSystem(device: disk))
}

/// Deterministic pseudo-random numbers (xorshift) for the model tests.
struct SeededRandom: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed == 0 ? 0x9E37_79B9_7F4A_7C15 : seed }
    mutating func next() -> UInt64 {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return state
    }
}

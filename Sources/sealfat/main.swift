// sealfat: Seal's FAT library on a disk-image file, for interop tests against mtools and fsck.fat.
//
// Usage: sealfat IMAGE [--offset BYTES] COMMAND ...
//   ls PATH | cat PATH | put PATH (stdin) | mkdir PATH | rm PATH | rmdir PATH | mv FROM TO
//   export DIR             copies the whole tree into the host directory DIR
//   random SEED COUNT DIR  COUNT random operations, mirrored into the host directory DIR
import Capabilities
import FAT
import HostDisk
import Foundation
import Glibc

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data(("sealfat: " + message + "\n").utf8))
    exit(1)
}

func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

/// Lends `data`'s bytes to `body`, keeping its typed error.
func withBytes(_ data: [UInt8], _ body: (UnsafeRawBufferPointer) throws(FATError) -> Void) throws(FATError) {
    let result: Result<Void, FATError> = data.withUnsafeBytes { buffer in
        do throws(FATError) {
            try body(buffer)
            return .success(())
        } catch {
            return .failure(error)
        }
    }
    try result.get()
}

func check<T>(_ what: String, _ body: () throws(FATError) -> T) -> T {
    do {
        return try body()
    } catch {
        fail(what + ": \(error)")
    }
}

var arguments = Array(CommandLine.arguments.dropFirst())
guard arguments.count >= 2 else {
    fail("usage: sealfat IMAGE [--offset BYTES] ls|cat|put|mkdir|rm|rmdir|mv|export|random ...")
}
let imagePath = arguments.removeFirst()
var offset = 0
if arguments.first == "--offset" {
    guard arguments.count >= 2, let value = Int(arguments[1]) else { fail("bad --offset") }
    offset = value
    arguments.removeFirst(2)
}
guard let device = try? FileBlockDevice(path: imagePath, offset: offset) else { fail("cannot open \(imagePath)") }
let fs = check("mount") { () throws(FATError) in try FATFileSystem(device: device) }
let command = arguments.isEmpty ? "" : arguments.removeFirst()

func argument(_ index: Int) -> String {
    guard index < arguments.count else { fail("missing argument for \(command)") }
    return arguments[index]
}

switch command {
case "ls":
    let path = arguments.first ?? "/"
    let entries = check("ls") { () throws(FATError) in try fs.list(bytes(path)) }
    for entry in entries {
        let name = String(decoding: entry.name, as: UTF8.self)
        print(entry.isDirectory ? "d \(name)/" : "- \(entry.size) \(name)")
    }
case "cat":
    let contents = check("cat") { () throws(FATError) in try fs.readFile(bytes(argument(0))) }
    FileHandle.standardOutput.write(Data(contents))
case "put":
    let input = [UInt8](FileHandle.standardInput.readDataToEndOfFile())
    check("put") { () throws(FATError) in try fs.writeFile(bytes(argument(0)), input) }
case "mkdir":
    check("mkdir") { () throws(FATError) in try fs.makeDirectories(bytes(argument(0))) }
case "rm":
    check("rm") { () throws(FATError) in try fs.remove(bytes(argument(0))) }
case "rmdir":
    check("rmdir") { () throws(FATError) in try fs.removeDirectory(bytes(argument(0))) }
case "mv":
    check("mv") { () throws(FATError) in try fs.rename(bytes(argument(0)), to: bytes(argument(1))) }
case "export":
    exportTree(fs, from: "", to: argument(0))
case "random":
    guard let seed = UInt64(argument(0)), let count = Int(argument(1)) else { fail("random SEED COUNT DIR") }
    var run = RandomRun(fs: fs, model: argument(2), seed: seed)
    run.run(count: count)
default:
    fail("unknown command \(command)")
}
check("sync") { () throws(FATError) in try fs.sync() }

/// Copies the directory `path` of the image into the host directory `target`, recursively.
func exportTree(_ fs: FATFileSystem<FileBlockDevice>, from path: String, to target: String) {
    try? FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
    let entries = check("ls " + path) { () throws(FATError) in try fs.list(bytes(path + "/")) }
    for entry in entries {
        let name = String(decoding: entry.name, as: UTF8.self)
        if entry.isDirectory {
            exportTree(fs, from: path + "/" + name, to: target + "/" + name)
        } else {
            let contents = check("cat " + path + "/" + name) { () throws(FATError) in try fs.readFile(bytes(path + "/" + name)) }
            guard FileManager.default.createFile(atPath: target + "/" + name, contents: Data(contents)) else {
                fail("cannot write \(target)/\(name)")
            }
        }
    }
}

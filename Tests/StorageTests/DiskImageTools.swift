// Test helpers: disk images made by sfdisk and mkfs.fat in temporary files, and sfdisk's JSON view of them.
import Foundation
import Capabilities
import Digest
import Storage

enum DiskImageTools {
    /// The directory holding `name` among the usual places for Debian's system tools.
    static func path(of name: String) -> String? {
        for directory in ["/usr/sbin", "/sbin", "/usr/bin", "/bin"] {
            let candidate = directory + "/" + name
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    static var haveSfdisk: Bool { path(of: "sfdisk") != nil }
    static var haveMkfsFat: Bool { path(of: "mkfs.fat") != nil }
    static var haveDiskBuilderTools: Bool {
        ["sfdisk", "mkfs.fat", "fsck.fat", "mcopy", "mdir"].allSatisfy { path(of: $0) != nil }
    }

    struct ToolFailure: Error, CustomStringConvertible {
        let description: String
    }

    /// Runs `tool` with `arguments`, feeding `input` on standard input; returns standard output.
    @discardableResult
    static func run(_ tool: String, _ arguments: [String], input: String = "") throws -> Data {
        guard let executable = path(of: tool) else { throw ToolFailure(description: "\(tool) not installed") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        let errors = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ToolFailure(description: "\(tool) \(arguments) failed: \(String(decoding: errors, as: UTF8.self))")
        }
        return output
    }

    /// A temporary image file of `mebibytes` MiB (sparse), removed by the caller with `remove`.
    static func makeImage(mebibytes: Int) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("seal-partitions-\(UUID().uuidString).img")
        FileManager.default.createFile(atPath: url.path, contents: nil)
        let handle = try FileHandle(forWritingTo: url)
        try handle.truncate(atOffset: UInt64(mebibytes) << 20)
        try handle.close()
        return url
    }

    static func remove(_ url: URL) { try? FileManager.default.removeItem(at: url) }

    /// Partitions `url` with the sfdisk `script` and returns the image's bytes.
    static func partition(_ url: URL, script: String) throws -> [UInt8] {
        try run("sfdisk", ["-q", url.path], input: script)
        return [UInt8](try Data(contentsOf: url))
    }

    /// One partition as `sfdisk --json` reports it.
    struct SfdiskPartition: Equatable {
        var number: Int
        var start: UInt64
        var size: UInt64
        var type: String
        var uuid: String?
        var name: String?
        var attributes: String?
    }

    /// `sfdisk --json` of the image: the label id and the partitions.
    static func sfdiskView(of url: URL) throws -> (label: String, id: String, partitions: [SfdiskPartition]) {
        let data = try run("sfdisk", ["--json", url.path])
        let root = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        guard let table = root?["partitiontable"] as? [String: Any],
              let label = table["label"] as? String, let id = table["id"] as? String,
              let list = table["partitions"] as? [[String: Any]] else {
            throw ToolFailure(description: "unexpected sfdisk JSON")
        }
        let partitions = list.map { item -> SfdiskPartition in
            let node = item["node"] as? String ?? ""
            // The number is the node's trailing digits ("/tmp/x.img12" → 12).
            let digits = String(node.reversed().prefix { $0.isNumber }.reversed())
            return SfdiskPartition(number: Int(digits) ?? -1,
                                   start: (item["start"] as? NSNumber)?.uint64Value ?? 0,
                                   size: (item["size"] as? NSNumber)?.uint64Value ?? 0,
                                   type: item["type"] as? String ?? "",
                                   uuid: item["uuid"] as? String, name: item["name"] as? String,
                                   attributes: item["attrs"] as? String)
        }
        return (label, id, partitions)
    }

    /// Our entry in sfdisk's vocabulary, for comparison.
    static func sfdiskForm(_ entry: PartitionEntry) -> SfdiskPartition {
        switch entry.type {
        case .mbr(let byte):
            return SfdiskPartition(number: entry.number, start: entry.firstSector, size: entry.sectorCount,
                                   type: String(byte, radix: 16))
        case .gpt(let guid):
            let name = String(decoding: stride(from: 0, to: entry.name.count, by: 2).map {
                UInt16(entry.name[$0]) | UInt16(entry.name[$0 + 1]) << 8
            }, as: UTF16.self)
            return SfdiskPartition(number: entry.number, start: entry.firstSector, size: entry.sectorCount,
                                   type: text(guid), uuid: text(entry.uniqueGUID), name: name.isEmpty ? nil : name,
                                   attributes: entry.attributes & PartitionEntry.legacyBootableAttribute != 0
                                       ? "LegacyBIOSBootable" : nil)
        }
    }

    /// The GUID as text, upper case, the way sfdisk prints it.
    static func text(_ guid: GUID) -> String {
        let hex = guid.canonicalBytes.map { String(format: "%02X", $0) }.joined()
        let characters = Array(hex)
        return [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { String(characters[$0]) }.joined(separator: "-")
    }
}

/// One `PUT` in progress: the file being written and the content not yet written to it.
import Capabilities
import FAT

struct Upload {
    var file: FATFile
    /// Whether the PUT created the file (201) rather than replaced it (204).
    let created: Bool
    /// Content bytes written to the file so far.
    var written: UInt64 = 0
    /// Received content waiting for a full `chunk` (writes of whole clusters are cheapest).
    var pending: [UInt8] = []
    /// The first error writing; the rest of the content is then dropped.
    var failure: FATError? = nil

    /// Content is written to the file in runs of this many bytes.
    static var chunk: Int { 64 * 1024 }

    init(file: FATFile, created: Bool) {
        self.file = file
        self.created = created
        pending.reserveCapacity(Self.chunk)
    }

    /// Takes received content, writing it out a chunk at a time.
    mutating func receive<Volume: BlockDevice>(_ bytes: UnsafeRawBufferPointer, into fileSystem: FATFileSystem<Volume>) {
        guard failure == nil else { return }
        pending.append(contentsOf: bytes)
        if pending.count >= Self.chunk { writePending(into: fileSystem) }
    }

    /// Writes whatever is pending.
    mutating func writePending<Volume: BlockDevice>(into fileSystem: FATFileSystem<Volume>) {
        guard failure == nil, !pending.isEmpty else { return }
        var file = self.file
        let offset = written
        let result: FATError? = pending.withUnsafeBytes { bytes in
            do throws(FATError) {
                try fileSystem.write(&file, at: offset, from: bytes)
                return nil
            } catch {
                return error
            }
        }
        self.file = file
        if let result {
            failure = result
            return
        }
        written += UInt64(pending.count)
        pending.removeAll(keepingCapacity: true)
    }
}

/// A disk-image file (or the part of one from a byte offset) as a block device: `pread`/`pwrite` of whole sectors, `fsync` as flush.
import Capabilities
import Glibc

/// The `host` board's disk and the `sealfat` tool's image. Host-only: it calls Linux.
public final class FileBlockDevice: BlockDevice {
    public let sectorSize = 512
    public let sectorCount: UInt64
    public let isReadOnly: Bool
    private let descriptor: Int32
    /// Where sector 0 lies in the file.
    private let offset: Int

    public enum OpenError: Error {
        case open(Int32)
        case size(Int32)
        /// Less than one sector after `offset`.
        case empty
    }

    /// Opens `path` for reading and writing (for reading only if `readOnly`, or if the file
    /// does not allow writing). The device runs from byte `offset` to the last whole sector.
    public init(path: String, readOnly: Bool = false, offset: Int = 0) throws(OpenError) {
        var descriptor: Int32 = -1
        var readOnly = readOnly
        if !readOnly { descriptor = open(path, O_RDWR | O_CLOEXEC) }
        if descriptor < 0 {
            readOnly = true
            descriptor = open(path, O_RDONLY | O_CLOEXEC)
        }
        guard descriptor >= 0 else { throw .open(errno) }
        let end = lseek(descriptor, 0, SEEK_END)
        guard end >= 0 else {
            let code = errno
            close(descriptor)
            throw .size(code)
        }
        guard end - off_t(offset) >= 512, offset >= 0 else {
            close(descriptor)
            throw .empty
        }
        self.descriptor = descriptor
        self.isReadOnly = readOnly
        self.offset = offset
        sectorCount = UInt64(end - off_t(offset)) / 512
    }

    deinit { close(descriptor) }

    public func read(sector: UInt64, into buffer: UnsafeMutableRawBufferPointer) throws(BlockError) {
        try validate(sector: sector, byteCount: buffer.count, writing: false)
        try transfer(sector: sector, count: buffer.count) { done, position in
            pread(descriptor, buffer.baseAddress! + done, buffer.count - done, position)
        }
    }

    public func write(sector: UInt64, from buffer: UnsafeRawBufferPointer) throws(BlockError) {
        try validate(sector: sector, byteCount: buffer.count, writing: true)
        try transfer(sector: sector, count: buffer.count) { done, position in
            pwrite(descriptor, buffer.baseAddress! + done, buffer.count - done, position)
        }
    }

    public func flush() throws(BlockError) {
        if isReadOnly { throw .readOnly }
        guard fsync(descriptor) == 0 else { throw .deviceError }
    }

    /// Repeats `call(done, filePosition)` until `count` bytes moved; retries on EINTR, fails on
    /// an error or end of file.
    private func transfer(sector: UInt64, count: Int, _ call: (Int, off_t) -> Int) throws(BlockError) {
        var done = 0
        while done < count {
            let moved = call(done, off_t(offset) + off_t(sector) * 512 + off_t(done))
            if moved < 0 && errno == EINTR { continue }
            guard moved > 0 else { throw .deviceError }
            done += moved
        }
    }
}

/// A disk-image file as a block device: `pread`/`pwrite` of whole sectors, `fsync` as flush.
import Capabilities
import Glibc

final class FileBlockDevice: BlockDevice {
    let sectorSize = 512
    let sectorCount: UInt64
    let isReadOnly: Bool
    private let descriptor: Int32

    enum OpenError: Error {
        case open(Int32)
        case size(Int32)
        case empty
    }

    /// Opens `path` for reading and writing (for reading only if `readOnly` or the file does
    /// not allow writing). A trailing partial sector is ignored.
    init(path: String, readOnly: Bool) throws(OpenError) {
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
        guard end >= 512 else {
            close(descriptor)
            throw .empty
        }
        self.descriptor = descriptor
        self.isReadOnly = readOnly
        sectorCount = UInt64(end) / 512
    }

    deinit { close(descriptor) }

    func read(sector: UInt64, into buffer: UnsafeMutableRawBufferPointer) throws(BlockError) {
        try validate(sector: sector, byteCount: buffer.count, writing: false)
        var done = 0
        while done < buffer.count {
            let count = pread(descriptor, buffer.baseAddress! + done, buffer.count - done,
                              off_t(sector) * 512 + off_t(done))
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { throw .deviceError }
            done += count
        }
    }

    func write(sector: UInt64, from buffer: UnsafeRawBufferPointer) throws(BlockError) {
        try validate(sector: sector, byteCount: buffer.count, writing: true)
        var done = 0
        while done < buffer.count {
            let count = pwrite(descriptor, buffer.baseAddress! + done, buffer.count - done,
                               off_t(sector) * 512 + off_t(done))
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { throw .deviceError }
            done += count
        }
    }

    func flush() throws(BlockError) {
        if isReadOnly { throw .readOnly }
        guard fsync(descriptor) == 0 else { throw .deviceError }
    }
}

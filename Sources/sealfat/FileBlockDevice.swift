// A disk-image file (or a byte range of one) as a BlockDevice, through pread/pwrite/fsync.
import Capabilities
import Glibc

final class FileBlockDevice: BlockDevice {
    let sectorSize = 512
    let sectorCount: UInt64
    let isReadOnly = false
    private let descriptor: Int32
    private let offset: Int

    /// Opens `path` read-write; the device starts `offset` bytes in and runs to the end of the file.
    init?(path: String, offset: Int) {
        descriptor = open(path, O_RDWR)
        guard descriptor >= 0 else { return nil }
        let size = lseek(descriptor, 0, SEEK_END)
        guard size > offset else {
            close(descriptor)
            return nil
        }
        self.offset = offset
        sectorCount = UInt64(size - offset) / 512
    }

    deinit { close(descriptor) }

    func read(sector: UInt64, into buffer: UnsafeMutableRawBufferPointer) throws(BlockError) {
        try validate(sector: sector, byteCount: buffer.count, writing: false)
        var done = 0
        while done < buffer.count {
            let count = pread(descriptor, buffer.baseAddress! + done, buffer.count - done,
                              offset + Int(sector) * 512 + done)
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
                               offset + Int(sector) * 512 + done)
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { throw .deviceError }
            done += count
        }
    }

    func flush() throws(BlockError) {
        guard fsync(descriptor) == 0 else { throw .deviceError }
    }
}

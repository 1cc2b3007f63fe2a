/// Device reads and writes on byte arrays with the device's typed error (the standard library's
/// `withUnsafeBytes` rethrows untyped, so the error is carried out of the closure by hand).
import Capabilities

extension BlockDevice {
    /// Reads whole sectors from `sector` into `bytes[range]`.
    func read(sector: UInt64, into bytes: inout [UInt8], range: Range<Int>) throws(BlockError) {
        var failure: BlockError? = nil
        bytes.withUnsafeMutableBytes { raw in
            do throws(BlockError) {
                try read(sector: sector, into: UnsafeMutableRawBufferPointer(rebasing: raw[range]))
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
    }

    /// Writes `bytes[range]`, whole sectors, from `sector` on.
    func write(sector: UInt64, from bytes: [UInt8], range: Range<Int>) throws(BlockError) {
        var failure: BlockError? = nil
        bytes.withUnsafeBytes { raw in
            do throws(BlockError) {
                try write(sector: sector, from: UnsafeRawBufferPointer(rebasing: raw[range]))
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
    }
}

extension BlockDevice {
    /// Flushes the device's write cache. A device that answers `unsupported` has no volatile
    /// cache (virtio-blk without VIRTIO_BLK_F_FLUSH is write-through, virtio 1.2 5.2.6.2): its
    /// completed writes are already durable.
    func flushIfCached() throws(BlockError) {
        do throws(BlockError) {
            try flush()
        } catch {
            if error != .unsupported { throw error }
        }
    }
}

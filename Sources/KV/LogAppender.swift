/// Appends records to a region through a one-sector buffer: full sectors are written as they
/// fill, the partial tail sector only when asked (sync), so a put costs no I/O most of the time.
import Capabilities

struct LogAppender {
    /// The region's first sector on the device.
    let regionStart: UInt64
    let regionBytes: UInt64
    let sectorSize: Int
    /// The region-relative sector the buffer stands for.
    private(set) var sector: UInt64
    /// Bytes of the buffer in use (always less than a sector).
    private(set) var fill: Int
    /// The tail sector's bytes; zero past `fill`.
    private(set) var buffer: [UInt8]
    /// The buffer holds bytes the device does not have yet.
    private(set) var dirty = false

    /// An appender whose log ends at `offset`; `tail` is the content of the sector holding it.
    init(regionStart: UInt64, regionBytes: UInt64, sectorSize: Int, offset: UInt64, tail: [UInt8]) {
        self.regionStart = regionStart
        self.regionBytes = regionBytes
        self.sectorSize = sectorSize
        sector = offset / UInt64(sectorSize)
        fill = Int(offset % UInt64(sectorSize))
        buffer = tail
        for index in fill..<sectorSize { buffer[index] = 0 }
    }

    /// The region offset the next record will start at.
    var offset: UInt64 { sector * UInt64(sectorSize) + UInt64(fill) }

    /// Whether `count` more bytes fit in the region.
    func fits(_ count: Int) -> Bool { UInt64(count) <= regionBytes - offset }

    /// Appends `bytes` (the caller checked `fits`). Whole sectors of a large record go to the
    /// device straight from `bytes`, up to 64 at a time.
    mutating func append<Device: BlockDevice>(_ bytes: [UInt8], to device: Device) throws(BlockError) {
        var position = 0
        while position < bytes.count {
            let remaining = bytes.count - position
            if fill == 0 && remaining >= sectorSize {
                let count = Swift.min(remaining / sectorSize, 64)
                let length = count * sectorSize
                try device.write(sector: regionStart + sector, from: bytes, range: position..<position + length)
                sector += UInt64(count)
                position += length
                continue
            }
            let piece = Swift.min(remaining, sectorSize - fill)
            buffer.replaceSubrange(fill..<fill + piece, with: bytes[position..<position + piece])
            fill += piece
            position += piece
            dirty = true
            if fill == sectorSize {
                try writeBuffer(to: device)
                sector += 1
                fill = 0
                for index in 0..<sectorSize { buffer[index] = 0 }
            }
        }
    }

    /// Writes the partial tail sector if it holds unwritten bytes.
    mutating func writeTail<Device: BlockDevice>(to device: Device) throws(BlockError) {
        if dirty { try writeBuffer(to: device) }
    }

    private mutating func writeBuffer<Device: BlockDevice>(to device: Device) throws(BlockError) {
        try device.write(sector: regionStart + sector, from: buffer, range: 0..<sectorSize)
        dirty = false
    }

    /// Copies region bytes `offset..<offset + output.count` that lie in the buffer's sector into
    /// `output`; answers how many leading bytes must come from the device instead.
    func bytesBeforeBuffer(offset: UInt64, count: Int) -> Int {
        let bufferStart = sector * UInt64(sectorSize)
        if offset >= bufferStart { return 0 }
        return Int(Swift.min(UInt64(count), bufferStart - offset))
    }

    /// The buffer's bytes for region offsets `offset..<offset + count`, all at or past its sector start.
    func bufferedBytes(offset: UInt64, count: Int) -> ArraySlice<UInt8> {
        let start = Int(offset - sector * UInt64(sectorSize))
        return buffer[start..<start + count]
    }
}

/// Reads byte ranges of a region from the device through a window of up to 8 sectors, so a
/// scan of small records costs one device read per 8 sectors.
import Capabilities

struct RegionReader {
    let regionStart: UInt64
    let regionBytes: UInt64
    let sectorSize: Int
    /// The first region sector the window holds, and how many it holds (0: none).
    private var windowStart: UInt64 = 0
    private var windowSectors: UInt64 = 0
    private var window: [UInt8] = []
    static var maximumWindowSectors: UInt64 { 8 }

    init(regionStart: UInt64, regionBytes: UInt64, sectorSize: Int) {
        self.regionStart = regionStart
        self.regionBytes = regionBytes
        self.sectorSize = sectorSize
    }

    /// Region bytes `offset..<offset + count`, which the caller has checked lie inside the region.
    /// Sectors from `stableLimit` on may still change, so the window never keeps them.
    mutating func read<Device: BlockDevice>(offset: UInt64, count: Int, from device: Device,
                                            stableLimit: UInt64 = .max) throws(BlockError) -> [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(count)
        let size = UInt64(sectorSize)
        var position = offset
        let end = offset + UInt64(count)
        while position < end {
            let sector = position / size
            let within = Int(position % size)
            let wanted = end - position
            if within == 0 && wanted >= 2 * size {
                // A run of whole sectors: straight from the device, 64 at most per request.
                let sectors = Swift.min(wanted / size, 64)
                let start = result.count
                result += [UInt8](repeating: 0, count: Int(sectors * size))
                try device.read(sector: regionStart + sector, into: &result, range: start..<start + Int(sectors * size))
                position += sectors * size
                continue
            }
            if sector < windowStart || sector - windowStart >= windowSectors {
                windowSectors = 0
                let regionSectors = regionBytes / size
                let stable = stableLimit > sector ? stableLimit - sector : 1
                let count = Swift.min(Self.maximumWindowSectors, regionSectors - sector, stable)
                if window.count < Int(count * size) { window = [UInt8](repeating: 0, count: Int(count * size)) }
                try device.read(sector: regionStart + sector, into: &window, range: 0..<Int(count * size))
                windowStart = sector
                windowSectors = count
            }
            let inWindow = Int(sector - windowStart) * sectorSize + within
            let piece = Int(Swift.min(wanted, (windowStart + windowSectors) * size - position))
            result += window[inWindow..<inWindow + piece]
            position += UInt64(piece)
            if sector >= stableLimit { windowSectors = 0 }
        }
        return result
    }

    /// The whole region-relative sector `sector`.
    mutating func sector<Device: BlockDevice>(_ sector: UInt64, from device: Device) throws(BlockError) -> [UInt8] {
        try read(offset: sector * UInt64(sectorSize), count: sectorSize, from: device, stableLimit: sector)
    }

    /// Forgets the window (its sectors may change by later writes).
    mutating func invalidate() { windowSectors = 0 }
}

/// The superblock: which region is active, its base epoch and first record sequence, CRC-protected.
import Digest

struct Superblock: Equatable {
    static let encodedLength = 60

    var sectorSize: UInt32
    var sequence: UInt64
    var regionSectors: UInt64
    var activeRegion: UInt32
    var baseEpoch: UInt64
    var firstSequence: UInt64

    /// Why a slot holds no usable superblock.
    enum Problem: Error {
        case noMagic
        case invalid
    }

    /// The slot this superblock is written to.
    var slot: UInt64 { sequence % 2 }

    /// One whole sector, zero past the fields.
    func encoded(sectorSize size: Int) -> [UInt8] {
        var bytes = KeyValueFormat.superblockMagic
        bytes.appendLittleEndian(KeyValueFormat.version)
        bytes.appendLittleEndian(sectorSize)
        bytes.appendLittleEndian(sequence)
        bytes.appendLittleEndian(regionSectors)
        bytes.appendLittleEndian(activeRegion)
        bytes.appendLittleEndian(UInt32(0))
        bytes.appendLittleEndian(baseEpoch)
        bytes.appendLittleEndian(firstSequence)
        let checksum = bytes.withUnsafeBytes { CRC32.checksum($0) }
        bytes.appendLittleEndian(checksum)
        bytes += [UInt8](repeating: 0, count: size - bytes.count)
        return bytes
    }

    /// Parses a slot and checks it against the device's geometry.
    init(parsing sector: [UInt8], deviceSectorSize: Int, deviceSectorCount: UInt64) throws(Problem) {
        guard sector.count >= Superblock.encodedLength,
              sector[0..<8].elementsEqual(KeyValueFormat.superblockMagic) else { throw .noMagic }
        let stored = sector.withUnsafeBytes { CRC32.checksum(UnsafeRawBufferPointer(rebasing: $0[0..<56])) }
        var cursor = ByteCursor(sector, position: 8)
        guard let version = cursor.integer(UInt32.self), let sectorSize = cursor.integer(UInt32.self),
              let sequence = cursor.integer(UInt64.self), let regionSectors = cursor.integer(UInt64.self),
              let activeRegion = cursor.integer(UInt32.self), let reserved = cursor.integer(UInt32.self),
              let baseEpoch = cursor.integer(UInt64.self), let firstSequence = cursor.integer(UInt64.self),
              let checksum = cursor.integer(UInt32.self) else { throw .invalid }
        guard checksum == stored, version == KeyValueFormat.version, reserved == 0,
              UInt64(sectorSize) == UInt64(deviceSectorSize), activeRegion <= 1,
              sequence < KeyValueFormat.sequenceLimit, firstSequence < KeyValueFormat.sequenceLimit,
              baseEpoch <= sequence, regionSectors >= KeyValueLimits.minimumRegionSectors,
              deviceSectorCount >= KeyValueFormat.superblockSectors,
              regionSectors <= (deviceSectorCount - KeyValueFormat.superblockSectors) / 2 else { throw .invalid }
        self.sectorSize = sectorSize
        self.sequence = sequence
        self.regionSectors = regionSectors
        self.activeRegion = activeRegion
        self.baseEpoch = baseEpoch
        self.firstSequence = firstSequence
    }

    init(sectorSize: UInt32, sequence: UInt64, regionSectors: UInt64, activeRegion: UInt32, baseEpoch: UInt64,
         firstSequence: UInt64) {
        self.sectorSize = sectorSize
        self.sequence = sequence
        self.regionSectors = regionSectors
        self.activeRegion = activeRegion
        self.baseEpoch = baseEpoch
        self.firstSequence = firstSequence
    }
}

extension Superblock {
    /// The sequence of a superblock with valid magic, version and CRC, whatever its geometry.
    static func previousSequence(in sector: [UInt8]) -> UInt64? {
        guard sector.count >= encodedLength, sector[0..<8].elementsEqual(KeyValueFormat.superblockMagic) else { return nil }
        let stored = sector.withUnsafeBytes { CRC32.checksum(UnsafeRawBufferPointer(rebasing: $0[0..<56])) }
        var cursor = ByteCursor(sector, position: 8)
        guard let version = cursor.integer(UInt32.self), version == KeyValueFormat.version,
              cursor.skip(4), let sequence = cursor.integer(UInt64.self), cursor.skip(32),
              let checksum = cursor.integer(UInt32.self), checksum == stored else { return nil }
        return sequence
    }
}

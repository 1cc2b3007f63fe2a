/// One sector of a device, read into a reused buffer, with little-endian field access.

import Capabilities

/// Holds exactly one sector, so table readers never keep more than a sector of the disk in memory.
/// Field offsets passed to the accessors are constants below 512 or checked by the caller.
final class SectorBuffer {
    let bytes: UnsafeMutableRawBufferPointer

    /// A buffer for sectors of `size` bytes, after checking that it is a power of two from 512
    /// to 65536 (the protocol promises 512 to 4096; a misbehaving device gets an error).
    init(sectorSize size: Int) throws(PartitionError) {
        guard size >= 512, size <= 65536, size & (size - 1) == 0 else { throw .unsupportedSectorSize }
        bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 8)
        bytes.initializeMemory(as: UInt8.self, repeating: 0)
    }

    deinit { bytes.deallocate() }

    var count: Int { bytes.count }

    func read<Device: BlockDevice>(sector: UInt64, from device: Device) throws(PartitionError) {
        do { try device.read(sector: sector, into: bytes) } catch { throw .device(error) }
    }

    subscript(offset: Int) -> UInt8 { bytes[offset] }

    func uint16(at offset: Int) -> UInt16 { UInt16(bytes[offset]) | UInt16(bytes[offset + 1]) << 8 }

    func uint32(at offset: Int) -> UInt32 {
        UInt32(uint16(at: offset)) | UInt32(uint16(at: offset + 2)) << 16
    }

    func uint64(at offset: Int) -> UInt64 {
        UInt64(uint32(at: offset)) | UInt64(uint32(at: offset + 4)) << 32
    }

    /// `range` of the sector as a read-only buffer (for CRC-32).
    func slice(_ range: Range<Int>) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: bytes[range])
    }

    /// Whether the sector ends its first 512 bytes with the boot signature 0x55 0xAA.
    var hasBootSignature: Bool { bytes[510] == 0x55 && bytes[511] == 0xAA }
}

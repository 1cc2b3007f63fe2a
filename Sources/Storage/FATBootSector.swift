/// Recognising a FAT boot sector at sector 0 of an unpartitioned disk (Microsoft FAT spec 3.1).

extension SectorBuffer {
    /// Whether the sector holds a plausible FAT boot sector and BIOS parameter block: a jump
    /// instruction (0xEB xx 0x90 or 0xE9), bytes per sector a power of two from 512 to 4096,
    /// sectors per cluster a power of two, at least one reserved sector and one FAT, a valid
    /// media byte (0xF0, 0xF8...0xFF), a non-zero sector count, and the 0x55AA signature.
    var looksLikeFATBootSector: Bool {
        guard hasBootSignature else { return false }
        let jump = self[0] == 0xE9 || (self[0] == 0xEB && self[2] == 0x90)
        let bytesPerSector = Int(uint16(at: 11))
        let sectorsPerCluster = Int(self[13])
        let reservedSectors = uint16(at: 14)
        let fatCount = self[16]
        let media = self[21]
        let totalSectors = uint16(at: 19) != 0 || uint32(at: 32) != 0
        return jump
            && bytesPerSector >= 512 && bytesPerSector <= 4096 && bytesPerSector & (bytesPerSector - 1) == 0
            && sectorsPerCluster > 0 && sectorsPerCluster & (sectorsPerCluster - 1) == 0
            && reservedSectors > 0 && fatCount > 0
            && (media == 0xF0 || media >= 0xF8)
            && totalSectors
    }
}

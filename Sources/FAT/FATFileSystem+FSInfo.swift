/// The FAT32 FSInfo sector: free cluster count and next-free hint (Microsoft FAT spec 5).

extension FATFileSystem {
    static var leadSignature: UInt32 { 0x4161_5252 }
    static var structureSignature: UInt32 { 0x6141_7272 }
    static var trailSignature: UInt32 { 0xAA55_0000 }

    /// Reads FSInfo; counts the free clusters when FSInfo is missing or does not know them.
    func loadFSInfo() throws(FATError) {
        if let sector = layout.fsInfoSector {
            var bytes = [UInt8](repeating: 0, count: layout.bytesPerSector)
            try readSector(sector, into: &bytes)
            if bytes.littleUInt32(at: 0) == Self.leadSignature, bytes.littleUInt32(at: 484) == Self.structureSignature {
                let free = bytes.littleUInt32(at: 488)
                let hint = bytes.littleUInt32(at: 492)
                if free <= layout.clusterCount { freeClusters = free }
                if isDataCluster(hint) { nextFreeHint = hint }
            }
        }
        if freeClusters == nil {
            _ = try countFreeClusters()
            fsInfoDirty = layout.fsInfoSector != nil
        }
    }

    /// Writes the free count and hint into FSInfo, keeping the rest of the sector.
    func storeFSInfo() throws(FATError) {
        fsInfoDirty = false
        guard let sector = layout.fsInfoSector else { return }
        var bytes = [UInt8](repeating: 0, count: layout.bytesPerSector)
        try readSector(sector, into: &bytes)
        bytes.setLittleUInt32(Self.leadSignature, at: 0)
        bytes.setLittleUInt32(Self.structureSignature, at: 484)
        bytes.setLittleUInt32(try freeClusterCount(), at: 488)
        bytes.setLittleUInt32(nextFreeHint, at: 492)
        bytes.setLittleUInt32(Self.trailSignature, at: 508)
        try writeSector(sector, from: bytes)
    }
}

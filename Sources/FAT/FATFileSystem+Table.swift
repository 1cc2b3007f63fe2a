/// The file allocation table: cached entry access mirrored to every copy (Microsoft FAT spec 4).

extension FATFileSystem {
    /// The cache slot holding FAT sector `sector` (index within one copy), loading it if needed.
    func fatSlot(_ sector: UInt64) throws(FATError) -> Int {
        for index in 0..<fatCache.count where fatCache[index].sector == sector { return index }
        var bytes = [UInt8](repeating: 0, count: layout.bytesPerSector)
        try readSector(layout.reservedSectors + sector, into: &bytes)
        if fatCache.count < Self.fatCacheSlots {
            fatCache.append(FATCacheSlot(sector: sector, dirty: false, bytes: bytes))
            return fatCache.count - 1
        }
        let victim = fatCacheVictim
        fatCacheVictim = (fatCacheVictim + 1) % Self.fatCacheSlots
        if fatCache[victim].dirty { try writeBack(slot: victim) }
        fatCache[victim] = FATCacheSlot(sector: sector, dirty: false, bytes: bytes)
        return victim
    }

    /// Writes a cached FAT sector to every FAT copy (spec 3.1: BPB_NumFATs copies are kept equal).
    func writeBack(slot: Int) throws(FATError) {
        let sector = fatCache[slot].sector
        for copy in 0..<layout.fatCount {
            try writeSector(layout.reservedSectors + UInt64(copy) * layout.fatSize + sector, from: fatCache[slot].bytes)
        }
        fatCache[slot].dirty = false
    }

    func fatByte(_ offset: UInt64) throws(FATError) -> UInt8 {
        let size = UInt64(layout.bytesPerSector)
        let slot = try fatSlot(offset / size)
        return fatCache[slot].bytes[Int(offset % size)]
    }

    func setFATByte(_ offset: UInt64, _ value: UInt8) throws(FATError) {
        let size = UInt64(layout.bytesPerSector)
        let slot = try fatSlot(offset / size)
        fatCache[slot].bytes[Int(offset % size)] = value
        fatCache[slot].dirty = true
    }

    /// The FAT entry of `cluster` (0 ... clusterCount + 1); FAT32's top four bits are masked.
    func entry(_ cluster: UInt32) throws(FATError) -> UInt32 {
        let size = UInt64(layout.bytesPerSector)
        switch layout.type {
        case .fat12:
            // Spec 4.2: entry n is at byte n + n/2 and may straddle two sectors.
            let offset = UInt64(cluster) + UInt64(cluster / 2)
            let value = UInt32(try fatByte(offset)) | UInt32(try fatByte(offset + 1)) << 8
            return cluster & 1 == 1 ? value >> 4 : value & 0xFFF
        case .fat16:
            let offset = UInt64(cluster) * 2
            let slot = try fatSlot(offset / size)
            return UInt32(fatCache[slot].bytes.littleUInt16(at: Int(offset % size)))
        case .fat32:
            let offset = UInt64(cluster) * 4
            let slot = try fatSlot(offset / size)
            return fatCache[slot].bytes.littleUInt32(at: Int(offset % size)) & 0x0FFF_FFFF
        }
    }

    /// Sets the FAT entry of `cluster`, keeping FAT32's reserved top bits (spec 4.3).
    func setEntry(_ cluster: UInt32, _ value: UInt32) throws(FATError) {
        let size = UInt64(layout.bytesPerSector)
        if value == 0 { cursor = nil }
        switch layout.type {
        case .fat12:
            let offset = UInt64(cluster) + UInt64(cluster / 2)
            let low = try fatByte(offset)
            let high = try fatByte(offset + 1)
            let old = UInt16(low) | UInt16(high) << 8
            let new: UInt16 = cluster & 1 == 1
                ? (old & 0x000F) | UInt16(value & 0xFFF) << 4
                : (old & 0xF000) | UInt16(value & 0xFFF)
            try setFATByte(offset, UInt8(truncatingIfNeeded: new))
            try setFATByte(offset + 1, UInt8(truncatingIfNeeded: new >> 8))
        case .fat16:
            let offset = UInt64(cluster) * 2
            let slot = try fatSlot(offset / size)
            fatCache[slot].bytes.setLittleUInt16(UInt16(truncatingIfNeeded: value), at: Int(offset % size))
            fatCache[slot].dirty = true
        case .fat32:
            let offset = UInt64(cluster) * 4
            let slot = try fatSlot(offset / size)
            let old = fatCache[slot].bytes.littleUInt32(at: Int(offset % size))
            fatCache[slot].bytes.setLittleUInt32((old & 0xF000_0000) | (value & 0x0FFF_FFFF), at: Int(offset % size))
            fatCache[slot].dirty = true
        }
    }

    func isDataCluster(_ cluster: UInt32) -> Bool { cluster >= 2 && cluster <= layout.clusterCount + 1 }

    /// The cluster after `cluster`, nil at the end of the chain; free, reserved, bad or
    /// out-of-range values are `.clusterOutOfRange`.
    func next(_ cluster: UInt32) throws(FATError) -> UInt32? {
        let value = try entry(cluster)
        if value >= layout.type.endOfChainMinimum { return nil }
        guard isDataCluster(value) else { throw .clusterOutOfRange }
        return value
    }

    /// Cluster number `index` of the chain that starts at `first`, or nil if the chain is shorter.
    func cluster(_ first: UInt32, at index: UInt32) throws(FATError) -> UInt32? {
        guard isDataCluster(first) else { throw .clusterOutOfRange }
        var current = first
        var position: UInt32 = 0
        if let cursor, cursor.first == first, cursor.index <= index {
            current = cursor.cluster
            position = cursor.index
        }
        while position < index {
            // A chain cannot be longer than the volume: a longer walk is a loop.
            guard position < layout.clusterCount else { throw .clusterLoop }
            guard let following = try next(current) else { return nil }
            current = following
            position += 1
        }
        cursor = ChainCursor(first: first, index: index, cluster: current)
        return current
    }

    /// The last cluster of a chain and the chain's length.
    func lastCluster(_ first: UInt32, from known: UInt32 = 0) throws(FATError) -> (cluster: UInt32, count: UInt32) {
        guard var current = try cluster(first, at: known) else { throw .chainTooShort }
        var count = known + 1
        while let following = try next(current) {
            guard count <= layout.clusterCount else { throw .clusterLoop }
            current = following
            count += 1
        }
        return (current, count)
    }

    /// Takes a free cluster, marks it end of chain and links it after `previous`.
    func allocateCluster(after previous: UInt32?) throws(FATError) -> UInt32 {
        let highest = layout.clusterCount + 1
        var candidate = isDataCluster(nextFreeHint) ? nextFreeHint : 2
        var checked: UInt32 = 0
        while checked < layout.clusterCount {
            if try entry(candidate) == 0 {
                try setEntry(candidate, layout.type.endOfChain)
                if let previous { try setEntry(previous, candidate) }
                nextFreeHint = candidate == highest ? 2 : candidate + 1
                if let free = freeClusters, free > 0 { freeClusters = free - 1 }
                fsInfoDirty = true
                return candidate
            }
            candidate = candidate == highest ? 2 : candidate + 1
            checked += 1
        }
        throw .noSpace
    }

    /// Frees the chain from `first` to its end. Stops quietly at an entry that is already free.
    func freeChain(_ first: UInt32) throws(FATError) {
        guard isDataCluster(first) else { throw .clusterOutOfRange }
        var current = first
        var steps: UInt32 = 0
        while steps <= layout.clusterCount {
            let value = try entry(current)
            if value == 0 { return }
            try setEntry(current, 0)
            if let free = freeClusters { freeClusters = free + 1 }
            fsInfoDirty = true
            if value >= layout.type.endOfChainMinimum { return }
            guard isDataCluster(value) else { throw .clusterOutOfRange }
            current = value
            steps += 1
        }
        throw .clusterLoop
    }

    /// Counts free clusters by reading the whole FAT, one sector at a time.
    public func countFreeClusters() throws(FATError) -> UInt32 {
        var free: UInt32 = 0
        var cluster: UInt32 = 2
        while cluster <= layout.clusterCount + 1 {
            if try entry(cluster) == 0 { free += 1 }
            cluster += 1
        }
        freeClusters = free
        return free
    }

    /// Free clusters: the tracked count if known, else counted now.
    public func freeClusterCount() throws(FATError) -> UInt32 {
        if let freeClusters { return freeClusters }
        return try countFreeClusters()
    }
}

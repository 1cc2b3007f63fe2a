/// Formatting a device and opening a store: superblock choice and the recovery scan of the log.
import Capabilities

extension KeyValueStore {
    /// Writes an empty store over the whole device. Not crash-safe itself: a crash during
    /// format leaves a device to format again.
    public static func format(_ device: Device) throws(KeyValueError) {
        let regionSectors = try regionSectors(for: device)
        guard !device.isReadOnly else { throw .readOnly }
        let size = device.sectorSize
        // Continue after any store already here, so none of its records can pass as ours.
        var sequence: UInt64 = 1
        for slot: UInt64 in 0..<2 {
            var sector = [UInt8](repeating: 0, count: size)
            do throws(BlockError) {
                try device.read(sector: slot, into: &sector, range: 0..<size)
            } catch {
                throw .device(error)
            }
            if let previous = Superblock.previousSequence(in: sector), previous < KeyValueFormat.openableSequenceLimit / 2 {
                sequence = Swift.max(sequence, previous + 1)
            }
        }
        let superblock = Superblock(sectorSize: UInt32(size), sequence: sequence, regionSectors: regionSectors,
                                    activeRegion: 0, baseEpoch: sequence, firstSequence: 1)
        let zero = [UInt8](repeating: 0, count: size)
        do throws(BlockError) {
            for sector in [regionStart(0, regionSectors: regionSectors), regionStart(1, regionSectors: regionSectors),
                           1 - superblock.slot] {
                try device.write(sector: sector, from: zero, range: 0..<size)
            }
            try device.write(sector: superblock.slot, from: superblock.encoded(sectorSize: size), range: 0..<size)
            try device.flushIfCached()
        } catch {
            throw .device(error)
        }
    }

    /// Mounts the store on `device`, recovering the longest valid prefix of its log. Unless the
    /// device is read-only, writes and flushes a superblock with the next sequence first (see
    /// "Epochs" in KeyValueFormat.swift).
    public static func open(_ device: Device) throws(KeyValueError) -> KeyValueStore<Device> {
        _ = try regionSectors(for: device)
        let size = device.sectorSize
        var best: Superblock? = nil
        var sawMagic = false
        for slot: UInt64 in 0..<2 {
            var sector = [UInt8](repeating: 0, count: size)
            do throws(BlockError) {
                try device.read(sector: slot, into: &sector, range: 0..<size)
            } catch {
                throw .device(error)
            }
            do throws(Superblock.Problem) {
                let candidate = try Superblock(parsing: sector, deviceSectorSize: size, deviceSectorCount: device.sectorCount)
                sawMagic = true
                if let current = best, current.sequence >= candidate.sequence { continue }
                best = candidate
            } catch {
                if error == .invalid { sawMagic = true }
            }
        }
        guard let superblock = best else { throw sawMagic ? .corrupt : .notAStore }
        guard superblock.sequence < KeyValueFormat.openableSequenceLimit,
              superblock.firstSequence < KeyValueFormat.openableSequenceLimit else { throw .corrupt }

        let regionStart = regionStart(superblock.activeRegion, regionSectors: superblock.regionSectors)
        let regionBytes = superblock.regionSectors * UInt64(size)
        var reader = RegionReader(regionStart: regionStart, regionBytes: regionBytes, sectorSize: size)
        let recovered: (state: StoreState, end: UInt64, nextSequence: UInt64)
        do throws(BlockError) {
            recovered = try scan(reader: &reader, device: device, superblock: superblock)
        } catch {
            throw .device(error)
        }
        var tail = [UInt8](repeating: 0, count: size)
        if recovered.end % UInt64(size) != 0 {
            do throws(BlockError) {
                tail = try reader.sector(recovered.end / UInt64(size), from: device)
            } catch {
                throw .device(error)
            }
        }
        // The cache may hold the tail sector or one past it, which appends will change.
        reader.invalidate()
        let appender = LogAppender(regionStart: regionStart, regionBytes: regionBytes, sectorSize: size,
                                   offset: recovered.end, tail: tail)
        let store = KeyValueStore(device: device, superblock: superblock, state: recovered.state,
                                  nextSequence: recovered.nextSequence, appender: appender, reader: reader)
        if !device.isReadOnly {
            var next = superblock
            next.sequence += 1
            try store.writeSuperblock(next)
        }
        return store
    }

    /// Replays the active region's records until the first invalid one (see "Recovery" in
    /// KeyValueFormat.swift). Each record is at least a header long, so the loop is bounded by
    /// the region size.
    static func scan(reader: inout RegionReader, device: Device, superblock: Superblock)
        throws(BlockError) -> (state: StoreState, end: UInt64, nextSequence: UInt64) {
        let regionBytes = reader.regionBytes
        let headerLength = UInt64(KeyValueFormat.recordHeaderLength)
        var state = StoreState()
        var offset: UInt64 = 0
        var expected = superblock.firstSequence
        var lastEpoch = superblock.baseEpoch
        records: while regionBytes - offset >= headerLength {
            let headerBytes = try reader.read(offset: offset, count: KeyValueFormat.recordHeaderLength, from: device)
            guard let header = RecordHeader(parsing: headerBytes), header.sequence == expected,
                  header.epoch >= lastEpoch, header.epoch <= superblock.sequence else { break }
            let payloadStart = offset + headerLength
            guard UInt64(header.payloadLength) <= regionBytes - payloadStart else { break }
            let payload = try reader.read(offset: payloadStart, count: header.payloadLength, from: device)
            guard RecordHeader.checksum(header: headerBytes, payload: payload) == header.checksum else { break }
            let recordEnd = payloadStart + UInt64(header.payloadLength)
            switch header.kind {
            case .batch:
                guard let changes = parseBatch(payload, payloadStart: payloadStart, recordEnd: recordEnd) else { break records }
                state.apply(changes)
            case .snapshot:
                guard let name = parseName(payload) else { break records }
                state.snapshots[name] = state.current
            case .deleteSnapshot:
                guard let name = parseName(payload) else { break records }
                state.snapshots[name] = nil
            case .clear:
                guard payload.isEmpty else { break records }
                state.current = [:]
            }
            offset = recordEnd
            expected += 1
            lastEpoch = header.epoch
        }
        return (state, offset, expected)
    }
}

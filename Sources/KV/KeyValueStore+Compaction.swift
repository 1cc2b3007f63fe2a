/// Compaction: the live data (current state and every snapshot) is copied to the other region,
/// which a new superblock then makes active; a crash at any point leaves one complete region.
import Capabilities

extension KeyValueStore {
    /// Batches written by compaction are cut at about this many payload bytes.
    static var compactionBatchBytes: Int { 4096 }

    /// Copies the live data to the other region and switches to it. Runs by itself when a
    /// record does not fit; throws `full` (leaving the store as it was) if the live data does
    /// not fit in a region.
    ///
    /// Steps (see "Epochs" in KeyValueFormat.swift): reserve sequence C with a superblock for
    /// the current region; write the other region with epoch C (each snapshot: clear, its
    /// entries, a snapshot record; then clear and the current entries; a value shared by
    /// several maps is stored once and linked); flush; superblock C + 1 makes it active.
    public func compact() throws(KeyValueError) {
        try checkWritable()
        var reservation = superblock
        reservation.sequence += 1
        try writeSuperblock(reservation)
        let epoch = reservation.sequence
        let target: UInt32 = 1 - reservation.activeRegion
        let targetStart = Self.regionStart(target, regionSectors: regionSectors)
        var compaction = Compaction(
            writer: LogAppender(regionStart: targetStart, regionBytes: regionBytes, sectorSize: sectorSize, offset: 0,
                                tail: [UInt8](repeating: 0, count: sectorSize)),
            epoch: epoch, sequence: nextSequence)
        var names = Array(state.snapshots.keys)
        names.sort { $0.lexicographicallyPrecedes($1) }
        for name in names {
            guard let map = state.snapshots[name] else { continue }
            try emit(kind: .clear, payload: [], into: &compaction)
            compaction.built.current = [:]
            try copy(map, into: &compaction)
            try emit(kind: .snapshot, payload: encodeName(name), into: &compaction)
            compaction.built.snapshots[name] = compaction.built.current
        }
        try emit(kind: .clear, payload: [], into: &compaction)
        compaction.built.current = [:]
        try copy(state.current, into: &compaction)
        do throws(BlockError) {
            try compaction.writer.writeTail(to: device)
            try device.flushIfCached()
        } catch {
            hasFailed = true
            throw .device(error)
        }
        let switched = Superblock(sectorSize: UInt32(sectorSize), sequence: epoch + 1, regionSectors: regionSectors,
                                  activeRegion: target, baseEpoch: epoch, firstSequence: nextSequence)
        try writeSuperblock(switched)
        state = compaction.built
        nextSequence = compaction.sequence
        appender = compaction.writer
        reader = RegionReader(regionStart: targetStart, regionBytes: regionBytes, sectorSize: sectorSize)
    }

    /// Writes the entries of `map` as batches; the new region's current map becomes `map`.
    private func copy(_ map: [[UInt8]: ValueLocation], into compaction: inout Compaction) throws(KeyValueError) {
        var encoder = BatchEncoder()
        var sources: [ValueLocation?] = []
        for (key, location) in map {
            if location.length > 0, let moved = compaction.moved[location.offset], moved.length == location.length {
                encoder.link(key, to: moved)
                sources.append(nil)
            } else {
                encoder.put(key, try readValue(location))
                sources.append(location)
            }
            if encoder.payload.count >= Self.compactionBatchBytes {
                try flush(&encoder, sources: &sources, into: &compaction)
            }
        }
        if encoder.count > 0 { try flush(&encoder, sources: &sources, into: &compaction) }
    }

    private func flush(_ encoder: inout BatchEncoder, sources: inout [ValueLocation?],
                       into compaction: inout Compaction) throws(KeyValueError) {
        let start = try emit(kind: .batch, payload: encoder.payload, into: &compaction)
        let changes = encoder.changes(payloadStart: start + UInt64(KeyValueFormat.recordHeaderLength))
        compaction.built.apply(changes)
        for (change, source) in zip(changes, sources) {
            if let source, source.length > 0, let value = change.value { compaction.moved[source.offset] = value }
        }
        encoder = BatchEncoder()
        sources = []
    }

    @discardableResult
    private func emit(kind: RecordKind, payload: [UInt8], into compaction: inout Compaction) throws(KeyValueError) -> UInt64 {
        let record = encodeRecord(kind: kind, epoch: compaction.epoch, sequence: compaction.sequence, payload: payload)
        guard compaction.writer.fits(record.count) else { throw .full }
        let start = compaction.writer.offset
        do throws(BlockError) {
            try compaction.writer.append(record, to: device)
        } catch {
            hasFailed = true
            throw .device(error)
        }
        compaction.sequence += 1
        return start
    }
}

/// The work in progress of one compaction.
struct Compaction {
    var writer: LogAppender
    let epoch: UInt64
    var sequence: UInt64
    /// What the new region holds so far, as its recovery scan will see it.
    var built = StoreState()
    /// Old value offset to new location, so a value is copied once.
    var moved: [UInt64: ValueLocation] = [:]
}

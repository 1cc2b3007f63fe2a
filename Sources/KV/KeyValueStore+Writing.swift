/// Puts, deletes, batches and sync: each change is one record appended to the log.
import Capabilities

extension KeyValueStore {
    /// Sets `key` to `value`.
    public func put(_ key: [UInt8], _ value: [UInt8]) throws(KeyValueError) {
        try Self.validate(key: key)
        guard value.count <= KeyValueLimits.maximumValueLength else { throw .valueTooLong }
        var encoder = BatchEncoder()
        encoder.put(key, value)
        try commit(encoder)
    }

    /// Removes `key`; nothing is written if it has no value.
    public func delete(_ key: [UInt8]) throws(KeyValueError) {
        try Self.validate(key: key)
        try checkWritable()
        guard state.current[key] != nil else { return }
        var encoder = BatchEncoder()
        encoder.delete(key)
        try commit(encoder)
    }

    /// Applies every operation of `batch`, in order, as one record: after a crash either all
    /// of them are there or none.
    public func apply(_ batch: KeyValueBatch) throws(KeyValueError) {
        guard !batch.isEmpty else { throw .invalidBatch }
        var encoder = BatchEncoder()
        for operation in batch.operations {
            switch operation {
            case .put(let key, let value):
                try Self.validate(key: key)
                guard value.count <= KeyValueLimits.maximumValueLength else { throw .valueTooLong }
                encoder.put(key, value)
            case .delete(let key):
                try Self.validate(key: key)
                encoder.delete(key)
            }
            guard encoder.payload.count <= KeyValueLimits.maximumRecordPayload else { throw .invalidBatch }
        }
        try commit(encoder)
    }

    /// Makes every change made so far durable: writes the partial tail sector and flushes.
    public func sync() throws(KeyValueError) {
        try checkWritable()
        do throws(BlockError) {
            try appender.writeTail(to: device)
            try device.flushIfCached()
        } catch {
            hasFailed = true
            throw .device(error)
        }
    }

    static func validate(key: [UInt8]) throws(KeyValueError) {
        guard !key.isEmpty, key.count <= KeyValueLimits.maximumKeyLength else { throw .invalidKey }
    }

    func checkWritable() throws(KeyValueError) {
        if device.isReadOnly { throw .readOnly }
        if hasFailed { throw .failed }
    }

    private func commit(_ encoder: BatchEncoder) throws(KeyValueError) {
        let start = try appendRecord(kind: .batch, payload: encoder.payload)
        state.apply(encoder.changes(payloadStart: start + UInt64(KeyValueFormat.recordHeaderLength)))
    }

    /// Appends one record, compacting first if it does not fit; answers where it starts.
    func appendRecord(kind: RecordKind, payload: [UInt8]) throws(KeyValueError) -> UInt64 {
        try checkWritable()
        let length = KeyValueFormat.recordHeaderLength + payload.count
        if !appender.fits(length) {
            try compact()
            guard appender.fits(length) else { throw .full }
        }
        let record = encodeRecord(kind: kind, epoch: superblock.sequence, sequence: nextSequence, payload: payload)
        let start = appender.offset
        do throws(BlockError) {
            try appender.append(record, to: device)
        } catch {
            hasFailed = true
            throw .device(error)
        }
        nextSequence += 1
        return start
    }

    /// Writes `next` to its slot and flushes; it becomes the current superblock.
    func writeSuperblock(_ next: Superblock) throws(KeyValueError) {
        do throws(BlockError) {
            try device.write(sector: next.slot, from: next.encoded(sectorSize: sectorSize), range: 0..<sectorSize)
            try device.flushIfCached()
        } catch {
            hasFailed = true
            throw .device(error)
        }
        superblock = next
    }
}

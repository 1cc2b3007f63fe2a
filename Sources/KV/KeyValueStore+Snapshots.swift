/// Named read-only snapshots of the whole store, kept across reboots and compaction.

extension KeyValueStore {
    /// Records the current state as snapshot `name`; later reads with `snapshot: name` see it.
    public func snapshot(_ name: [UInt8]) throws(KeyValueError) {
        try Self.validate(snapshotName: name)
        try checkWritable()
        guard state.snapshots[name] == nil else { throw .snapshotExists }
        _ = try appendRecord(kind: .snapshot, payload: encodeName(name))
        state.snapshots[name] = state.current
    }

    /// Forgets snapshot `name`; the next compaction reclaims what only it held.
    public func deleteSnapshot(_ name: [UInt8]) throws(KeyValueError) {
        try Self.validate(snapshotName: name)
        try checkWritable()
        guard state.snapshots[name] != nil else { throw .snapshotNotFound }
        _ = try appendRecord(kind: .deleteSnapshot, payload: encodeName(name))
        state.snapshots[name] = nil
    }

    static func validate(snapshotName name: [UInt8]) throws(KeyValueError) {
        guard !name.isEmpty, name.count <= KeyValueLimits.maximumSnapshotNameLength else { throw .invalidSnapshotName }
    }
}

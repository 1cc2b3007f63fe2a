/// The store's contents in RAM: the current map and each snapshot's, from key to value location.
///
/// Only keys and locations live in RAM (values stay on the disk), so memory grows with the
/// number and length of keys, not with the size of values.
struct StoreState {
    var current: [[UInt8]: ValueLocation] = [:]
    var snapshots: [[UInt8]: [[UInt8]: ValueLocation]] = [:]

    mutating func apply(_ changes: [BatchChange]) {
        for change in changes {
            if let value = change.value {
                current[change.key] = value
            } else {
                current[change.key] = nil
            }
        }
    }

    /// Keys of `map` starting with `prefix`, in byte order, at most `limit`.
    static func keys(of map: [[UInt8]: ValueLocation], prefix: [UInt8], limit: Int?) -> [[UInt8]] {
        var keys: [[UInt8]] = []
        for key in map.keys where key.starts(with: prefix) { keys.append(key) }
        keys.sort { $0.lexicographicallyPrecedes($1) }
        if let limit, limit < keys.count { keys.removeSubrange(Swift.max(limit, 0)...) }
        return keys
    }
}

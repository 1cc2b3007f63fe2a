/// A crash-safe log-structured key-value store on any block device (format in KeyValueFormat.swift).
import Capabilities

/// Byte-string keys (1–255 bytes) to byte-string values (up to 1 MiB), with atomic batches and
/// named read-only snapshots, on half of a `BlockDevice` at a time.
///
/// - Writes append one CRC-protected record per operation (a batch is one record) through a
///   one-sector buffer: full sectors are written as they fill, nothing is flushed. `sync()`
///   writes the partial tail sector and flushes the device; everything before it is durable.
/// - After a crash at any instant, `open` yields the state after some prefix of the operations
///   (puts, deletes, batches, snapshot changes) that includes everything before the last
///   completed `sync()`.
/// - When a record does not fit, `compact()` copies the live data (the current state and every
///   snapshot) to the other half and switches to it; a write fails with `full` only if the
///   compacted live data plus the new record do not fit in a half. A store kept nearly full
///   compacts often: leave it room.
/// - RAM: a dictionary per state (current and each snapshot) from key to the value's location
///   on disk, about key length plus 60 bytes per entry; values are read from the disk on `get`.
/// - A write error stops later mutations (`failed`) until the store is opened again.
/// - Malformed disks produce typed errors or a shorter recovered log, never a trap or a hang.

public final class KeyValueStore<Device: BlockDevice> {
    public let device: Device
    let sectorSize: Int
    let regionSectors: UInt64
    let regionBytes: UInt64
    /// The latest superblock written (and flushed); its sequence is the epoch of new records.
    var superblock: Superblock
    var state: StoreState
    var nextSequence: UInt64
    var appender: LogAppender
    var reader: RegionReader
    /// Set when a write failed: the disk may lag the RAM state, so mutations stop.
    var hasFailed = false

    init(device: Device, superblock: Superblock, state: StoreState, nextSequence: UInt64, appender: LogAppender,
         reader: RegionReader) {
        self.device = device
        sectorSize = device.sectorSize
        regionSectors = superblock.regionSectors
        regionBytes = superblock.regionSectors * UInt64(device.sectorSize)
        self.superblock = superblock
        self.state = state
        self.nextSequence = nextSequence
        self.appender = appender
        self.reader = reader
    }

    /// The device sector where region `region` (0 or 1) starts.
    static func regionStart(_ region: UInt32, regionSectors: UInt64) -> UInt64 {
        KeyValueFormat.superblockSectors + UInt64(region) * regionSectors
    }

    /// Checks the device can hold a store; answers the region size in sectors.
    static func regionSectors(for device: Device) throws(KeyValueError) -> UInt64 {
        let size = device.sectorSize
        guard size >= 512, size <= 4096, size & (size - 1) == 0,
              device.sectorCount >= KeyValueFormat.superblockSectors + 2 * KeyValueLimits.minimumRegionSectors else {
            throw .unsupportedDevice
        }
        return (device.sectorCount - KeyValueFormat.superblockSectors) / 2
    }

    // MARK: Reading

    /// The number of keys in the current state.
    public var count: Int { state.current.count }

    /// Bytes of the active region in use (log tail) and its size: compaction runs when full.
    public var usedBytes: UInt64 { appender.offset }
    public var capacityBytes: UInt64 { regionBytes }

    /// Whether writes are refused because the device is read-only.
    public var isReadOnly: Bool { device.isReadOnly }

    /// Whether `key` has a value (no device access).
    public func contains(_ key: [UInt8]) -> Bool { state.current[key] != nil }

    /// The value of `key`, or nil if it has none.
    public func get(_ key: [UInt8]) throws(KeyValueError) -> [UInt8]? {
        guard let location = state.current[key] else { return nil }
        return try readValue(location)
    }

    /// The value `key` had when snapshot `name` was taken.
    public func get(_ key: [UInt8], snapshot name: [UInt8]) throws(KeyValueError) -> [UInt8]? {
        guard let map = state.snapshots[name] else { throw .snapshotNotFound }
        guard let location = map[key] else { return nil }
        return try readValue(location)
    }

    /// Keys starting with `prefix`, in byte order, at most `limit` of them.
    public func list(prefix: [UInt8] = [], limit: Int? = nil) -> [[UInt8]] {
        StoreState.keys(of: state.current, prefix: prefix, limit: limit)
    }

    /// Keys starting with `prefix` as of snapshot `name`, in byte order, at most `limit`.
    public func list(prefix: [UInt8] = [], limit: Int? = nil, snapshot name: [UInt8]) throws(KeyValueError) -> [[UInt8]] {
        guard let map = state.snapshots[name] else { throw .snapshotNotFound }
        return StoreState.keys(of: map, prefix: prefix, limit: limit)
    }

    /// Names of the snapshots, in byte order.
    public var snapshotNames: [[UInt8]] {
        var names = Array(state.snapshots.keys)
        names.sort { $0.lexicographicallyPrecedes($1) }
        return names
    }

    /// A value's bytes: from the device, or from the tail buffer for bytes not written yet.
    func readValue(_ location: ValueLocation) throws(KeyValueError) -> [UInt8] {
        let count = Int(location.length)
        if count == 0 { return [] }
        let fromDevice = appender.bytesBeforeBuffer(offset: location.offset, count: count)
        var bytes: [UInt8] = []
        if fromDevice > 0 {
            do throws(BlockError) {
                bytes = try reader.read(offset: location.offset, count: fromDevice, from: device, stableLimit: appender.sector)
            } catch {
                throw .device(error)
            }
        }
        if fromDevice < count {
            bytes += appender.bufferedBytes(offset: location.offset + UInt64(fromDevice), count: count - fromDevice)
        }
        return bytes
    }
}

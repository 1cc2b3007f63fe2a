/// Why a key-value store operation failed.
import Capabilities

public enum KeyValueError: Error, Equatable, Sendable {
    /// The device holds no key-value store (no superblock magic).
    case notAStore
    /// A superblock is there but no valid, consistent one is.
    case corrupt
    /// The device's sector size or size cannot hold a store.
    case unsupportedDevice
    /// A key is empty or longer than `KeyValueLimits.maximumKeyLength`.
    case invalidKey
    /// A value is longer than `KeyValueLimits.maximumValueLength`.
    case valueTooLong
    /// A batch encodes to more than `KeyValueLimits.maximumRecordPayload` bytes, or is empty.
    case invalidBatch
    /// A snapshot name is empty or longer than `KeyValueLimits.maximumSnapshotNameLength`.
    case invalidSnapshotName
    /// `snapshot(_:)` with a name already in use.
    case snapshotExists
    /// No snapshot has this name.
    case snapshotNotFound
    /// Live data (including what snapshots hold) plus this write does not fit, even compacted.
    case full
    /// The device is read-only, so the store is too.
    case readOnly
    /// An earlier write failed; the in-memory state may be ahead of the disk. Reopen the store.
    case failed
    /// The device reported an error.
    case device(BlockError)
}

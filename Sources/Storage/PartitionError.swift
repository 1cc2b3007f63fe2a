/// Why a partition table could not be read: one closed set of typed errors, never a trap.

import Capabilities

/// Every failure of `PartitionTable.read(from:)`, `Partition.init` and `firstFATPartition(of:)`.
/// A damaged or hostile table gets one of these; none of the readers traps or loops unbounded.
public enum PartitionError: Error, Equatable, Sendable {
    /// Reading a sector of the disk failed.
    case device(BlockError)
    /// The device's sector size is not a power of two from 512 to 65536 bytes.
    case unsupportedSectorSize
    /// A partition (or a window asked of `Partition`) reaches outside the disk, outside its
    /// extended partition, or outside the GPT's usable range, or starts at sector 0.
    case partitionOutOfRange
    /// The chain of extended boot records comes back to a record it has already visited.
    case extendedChainLoop
    /// The chain of extended boot records is longer than `PartitionTable.maximumPartitions`.
    case extendedChainTooLong
    /// The table describes more than `PartitionTable.maximumPartitions` partitions.
    case tooManyPartitions
    /// A GPT header has a wrong signature, revision, size, own LBA or usable range (UEFI 2.10 5.3.2).
    case invalidGPTHeader
    /// A GPT header's CRC-32 does not match its contents.
    case gptHeaderChecksum
    /// A GPT entry size that is not 128 × 2^n bytes (UEFI 2.10 5.3.2), or above 64 KiB.
    case unsupportedGPTEntrySize
    /// The GPT entry array is larger than `PartitionTable.maximumEntryArrayBytes`.
    case gptEntryArrayTooLarge
    /// The GPT entry array reaches outside the disk.
    case gptEntryArrayOutOfRange
    /// The GPT entry array's CRC-32 does not match the header's.
    case gptEntryArrayChecksum
}

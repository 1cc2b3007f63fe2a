/// The key-value store's on-disk format: superblock pair, two log regions, CRC-32 records.
///
/// # Layout (all integers little-endian)
///
/// ```
/// sector 0, 1      superblock slots A and B (a superblock with sequence s lives in slot s % 2)
/// sector 2 …       region 0: `regionSectors` sectors
/// sector 2+R …     region 1: `regionSectors` sectors   (R = regionSectors = (sectorCount - 2) / 2)
/// ```
///
/// ## Superblock (first 60 bytes of its sector, rest zero)
///
/// ```
///  0  8  magic "SEALKV01"
///  8  4  version (1)
/// 12  4  sector size the store was formatted with
/// 16  8  sequence: increases by one with every superblock written
/// 24  8  regionSectors
/// 32  4  active region (0 or 1)
/// 36  4  reserved (0)
/// 40  8  base epoch: the least epoch a record of the active region may carry
/// 48  8  first sequence: the record sequence number of the active region's first record
/// 56  4  CRC-32 of bytes 0..<56
/// ```
///
/// The valid superblock (magic, version, CRC, geometry) with the greatest sequence wins. A
/// superblock is only ever written to the slot not holding the current one, then flushed, so a
/// torn superblock write leaves the previous one in charge.
///
/// ## Records (the log of the active region, back to back from byte 0, spanning sectors freely)
///
/// ```
///  0  4  magic "SKVR"
///  4  1  kind: 1 batch, 2 snapshot, 3 delete snapshot, 4 clear
///  5  3  reserved (0)
///  8  4  payload length (at most `KeyValueLimits.maximumRecordPayload`)
/// 12  4  CRC-32 of the header (with this field zero) followed by the payload
/// 16  8  epoch
/// 24  8  sequence number
/// 32  …  payload
/// ```
///
/// Payloads:
/// - batch: count (4), then `count` entries, each `operation (1) keyLength (1) key`, and then
///   for a put (1) `valueLength (4) value`, for a delete (2) nothing, for a link (3)
///   `valueLength (4) valueOffset (8)`: the value is the bytes at that region offset, which must
///   lie before the end of this record (compaction uses links so a value shared by snapshots is
///   stored once). The entries apply in order, all or none.
/// - snapshot: nameLength (1) name: the current state becomes snapshot `name`.
/// - delete snapshot: nameLength (1) name.
/// - clear: empty; the current state becomes empty (compaction rebuilds each snapshot from it).
///
/// ## Recovery
///
/// Opening scans the active region from byte 0 and stops at the first record that is not
/// valid: wrong magic or kind, nonzero reserved bytes, a payload past the region end, a bad
/// CRC, a sequence number other than the previous one plus one (the first must equal the
/// superblock's first sequence), an epoch below the previous record's or the base epoch or above
/// the superblock's sequence, or a payload that does not parse. Appending continues there.
///
/// Epochs keep stale bytes out: every record carries the sequence of the latest durable
/// superblock. Opening a store for writing first writes and flushes a superblock with the next
/// sequence, so records appended by this session carry an epoch above that of every byte an
/// earlier session (or an earlier use of the region) may have left past the recovered tail.
/// Compaction first reserves a new superblock sequence C (written and flushed), writes the live
/// data to the other region with epoch C, flushes, then switches with superblock C + 1 whose base
/// epoch is C: older bytes in that region all carry epochs below C.
///
/// `format` continues the sequence of any valid superblock already on the device, so a store
/// formatted over an old one never accepts the old one's records.

/// Sizes the store accepts; bigger requests fail with a typed error.
public enum KeyValueLimits {
    /// Keys are 1 to 255 bytes.
    public static let maximumKeyLength = 255
    /// Values are 0 bytes to 1 MiB.
    public static let maximumValueLength = 1 << 20
    /// Snapshot names are 1 to 255 bytes.
    public static let maximumSnapshotNameLength = 255
    /// The encoded size of one record's payload (one batch): a maximal put plus 64 KiB.
    public static let maximumRecordPayload = (1 << 20) + (1 << 16)
    /// A device needs two superblock sectors and two regions of at least this many sectors.
    public static let minimumRegionSectors: UInt64 = 4
}

/// Constants of the layout above.
enum KeyValueFormat {
    static let superblockMagic: [UInt8] = [0x53, 0x45, 0x41, 0x4C, 0x4B, 0x56, 0x30, 0x31]  // "SEALKV01"
    static let version: UInt32 = 1
    static let recordMagic: UInt32 = 0x5256_4B53  // "SKVR" read little-endian
    static let recordHeaderLength = 32
    static let superblockSectors: UInt64 = 2
    /// Superblocks with a sequence or first sequence at or above this are invalid, so adding
    /// to them never overflows.
    static let sequenceLimit: UInt64 = 1 << 62
    /// `open` refuses stores past this (as corrupt), leaving 2^61 superblock writes and
    /// records of headroom below `sequenceLimit`; `format` starts over past it.
    static let openableSequenceLimit: UInt64 = 1 << 61
}

/// Kinds of log record.
enum RecordKind: UInt8 {
    case batch = 1
    case snapshot = 2
    case deleteSnapshot = 3
    case clear = 4
}

/// Operations inside a batch record.
enum BatchOperation: UInt8 {
    case put = 1
    case delete = 2
    case link = 3
}

// DeviceTree: a read-only view of a flattened device tree blob, and its header check.

/// A read-only, non-owning view of a flattened device tree (DTB), shaped like libfdt.
///
/// **No-trap contract.** Nothing in this module traps, hangs or reads outside the blob on
/// any input, however malformed:
/// - `DeviceTree(checkingHeader:)` checks the header cheaply (magic, version, block bounds,
///   alignment, overlap). After it, every offset the module derives from the header lies
///   inside the blob.
/// - `validate()` walks the whole structure block and reports the first defect as a
///   `DeviceTreeError`. A tree that validates has balanced nodes, one unnamed root,
///   in-bounds property names and a terminated reservation list.
/// - Lookups are `throws(DeviceTreeError)`: on an unvalidated tree they throw the defect
///   they meet; `nil` means "not there", never "broken".
/// - Sequences (`nodes`, `children`, `properties`, `reservations`, string lists) cannot
///   throw: on malformed data they end early. Use `validate()` to learn why.
/// - Every walk moves forward through the blob, so loops are bounded by its size; node
///   nesting is limited to `maximumDepth`, phandle and interrupt-parent chains to
///   `maximumReferenceHops` steps, alias chains to `maximumAliasHops`.
/// - Lookups do not allocate: nodes are offsets into the blob, values are slices of it.
///
/// All multi-byte values are big-endian and read with byte loads, so the blob may sit at
/// any address.
///
/// SPEC — the blob layout (Devicetree Specification v0.4, §5 "Flattened Devicetree (DTB)
/// Format"):
/// - §5.2 header, big-endian u32 fields at byte offsets: 0 magic 0xd00dfeed, 4 totalsize,
///   8 off_dt_struct, 12 off_dt_strings, 16 off_mem_rsvmap, 20 version (17),
///   24 last_comp_version (16), 28 boot_cpuid_phys, 32 size_dt_strings,
///   36 size_dt_struct (version 17 only; a version-16 header is 36 bytes long).
/// - §5.1 the blocks follow the header in this order: memory reservation block (8-byte
///   aligned), structure block (4-byte aligned), strings block; all inside totalsize.
/// - §5.3 memory reservation block: pairs of big-endian u64 (address, size), ended by an
///   entry whose size is 0 (the spec asks for both fields 0; libfdt stops at size 0).
/// - §5.4 structure block: 4-byte-aligned big-endian u32 tokens. FDT_BEGIN_NODE (1) is
///   followed by the NUL-terminated unit name, padded to 4; FDT_END_NODE (2);
///   FDT_PROP (3) by u32 len, u32 nameoff and len value bytes, padded to 4; FDT_NOP (4);
///   FDT_END (9) ends the block. Properties precede subnodes; the root's name is empty.
/// - §5.5 strings block: NUL-terminated property names, found by nameoff.
///
/// Smallest valid blob, 72 bytes: header (40), reservation terminator (16 zero bytes),
/// `00000001 00000000` (root, empty name), `00000002` (end node), `00000009` (end), and an
/// empty strings block.
public struct DeviceTree {
    /// The whole blob: exactly `totalsize` bytes.
    public let blob: UnsafeRawBufferPointer
    let reservationsStart: Int
    /// Where the reservation entries must end: the next block's start, or totalsize.
    let reservationsLimit: Int
    let structureStart: Int
    let structureEnd: Int
    let stringsStart: Int
    let stringsEnd: Int

    /// Deepest nesting accepted (the root counts as one level), as Linux's FDT_MAX_DEPTH.
    public static let maximumDepth = 64
    /// Longest phandle or interrupt-parent chain followed before reporting a loop.
    public static let maximumReferenceHops = 64
    /// Longest chain of aliases naming aliases followed before reporting a loop.
    public static let maximumAliasHops = 8

    static let magic: UInt32 = 0xd00d_feed
    static let version16HeaderSize = 36
    static let version17HeaderSize = 40
    static let reservationEntrySize = 16

    /// Checks the header of the blob at the start of `buffer`; the blob is the first
    /// totalsize bytes (the buffer may be longer). Cheap: reads only the header.
    /// Errors: `truncatedHeader`, `badMagic`, `badVersion`, `truncatedBlob`,
    /// `blockOutOfBounds`, `misalignedBlock`, `overlappingBlocks`.
    public init(checkingHeader buffer: UnsafeRawBufferPointer) throws(DeviceTreeError) {
        guard buffer.count >= 4 else { throw .truncatedHeader }
        guard buffer.bigEndianUInt32(at: 0) == DeviceTree.magic else { throw .badMagic }
        guard buffer.count >= 28 else { throw .truncatedHeader }
        let version = buffer.bigEndianUInt32(at: 20)
        let lastCompatibleVersion = buffer.bigEndianUInt32(at: 24)
        // Version 16 is the oldest with plain unit names and 4-byte property alignment.
        guard version >= 16, lastCompatibleVersion <= 17, version >= lastCompatibleVersion else {
            throw .badVersion
        }
        let headerSize = version >= 17 ? DeviceTree.version17HeaderSize : DeviceTree.version16HeaderSize
        guard buffer.count >= headerSize else { throw .truncatedHeader }
        let totalSize = buffer.bigEndianUInt32(at: 4)
        guard UInt(totalSize) >= UInt(headerSize) else { throw .truncatedHeader }
        guard UInt(totalSize) <= UInt(buffer.count) else { throw .truncatedBlob }
        let size = Int(totalSize)
        let blob = UnsafeRawBufferPointer(rebasing: buffer[0..<size])

        let structureOffset = blob.bigEndianUInt32(at: 8)
        let stringsOffset = blob.bigEndianUInt32(at: 12)
        let reservationsOffset = blob.bigEndianUInt32(at: 16)
        let stringsSize = blob.bigEndianUInt32(at: 32)

        // Bounds: every block lies between the end of the header and totalsize.
        func inside(_ offset: UInt32, _ length: UInt32) -> Bool {
            UInt(offset) >= UInt(headerSize) && UInt(offset) <= UInt(size)
                && UInt(length) <= UInt(size) - UInt(offset)
        }
        guard inside(reservationsOffset, UInt32(DeviceTree.reservationEntrySize)),
              inside(stringsOffset, stringsSize) else { throw .blockOutOfBounds }
        let structureLength: Int
        if version >= 17 {
            let structureSize = blob.bigEndianUInt32(at: 36)
            guard inside(structureOffset, structureSize) else { throw .blockOutOfBounds }
            structureLength = Int(structureSize)
        } else {
            // Version 16 has no size_dt_struct: the block runs to the next block or the end.
            guard inside(structureOffset, 0) else { throw .blockOutOfBounds }
            var limit = size
            limit = BlockExtent.nearerStart(Int(reservationsOffset), after: Int(structureOffset), limit)
            limit = BlockExtent.nearerStart(Int(stringsOffset), after: Int(structureOffset), limit)
            structureLength = limit - Int(structureOffset)
        }

        // §5.3 and §5.4: the reservation block is 8-byte aligned, the structure block 4.
        guard reservationsOffset % 8 == 0, structureOffset % 4 == 0 else { throw .misalignedBlock }

        let reservations = BlockExtent(start: Int(reservationsOffset), length: DeviceTree.reservationEntrySize)
        let structure = BlockExtent(start: Int(structureOffset), length: structureLength)
        let strings = BlockExtent(start: Int(stringsOffset), length: Int(stringsSize))
        guard !reservations.overlaps(structure), !reservations.overlaps(strings),
              !structure.overlaps(strings) else { throw .overlappingBlocks }

        var reservationsLimit = size
        if structure.length > 0 {
            reservationsLimit = BlockExtent.nearerStart(structure.start, after: reservations.start, reservationsLimit)
        }
        if strings.length > 0 {
            reservationsLimit = BlockExtent.nearerStart(strings.start, after: reservations.start, reservationsLimit)
        }

        self.blob = blob
        self.reservationsStart = reservations.start
        self.reservationsLimit = reservationsLimit
        self.structureStart = structure.start
        self.structureEnd = structure.end
        self.stringsStart = strings.start
        self.stringsEnd = strings.end
    }

    /// Checks the header of a blob at `pointer` (the board's r2), reading at most
    /// `maximumSize` bytes: the header first, then totalsize from it.
    /// Errors: as `init(checkingHeader:)`; `truncatedBlob` when totalsize > maximumSize.
    public init(checkingHeaderAt pointer: UnsafeRawPointer, maximumSize: Int) throws(DeviceTreeError) {
        let limit = max(0, maximumSize)
        let header = UnsafeRawBufferPointer(start: pointer, count: min(limit, DeviceTree.version17HeaderSize))
        var count = header.count
        if header.count >= 8, header.bigEndianUInt32(at: 0) == DeviceTree.magic {
            count = Int(min(UInt(header.bigEndianUInt32(at: 4)), UInt(limit)))
            count = max(count, header.count)
        }
        try self.init(checkingHeader: UnsafeRawBufferPointer(start: pointer, count: count))
    }

    /// totalsize: the blob's length in bytes.
    public var totalSize: Int { blob.count }
    /// The format version (17 for current blobs).
    public var version: UInt32 { blob.bigEndianUInt32(at: 20) }
    /// The oldest version this blob is compatible with (16 for current blobs).
    public var lastCompatibleVersion: UInt32 { blob.bigEndianUInt32(at: 24) }
    /// boot_cpuid_phys: the physical ID of the boot CPU (matches a cpu node's `reg`).
    public var bootCPUPhysicalID: UInt32 { blob.bigEndianUInt32(at: 28) }
    /// The structure block, as a slice of the blob.
    public var structureBlock: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: blob[structureStart..<structureEnd])
    }
    /// The strings block, as a slice of the blob.
    public var stringsBlock: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: blob[stringsStart..<stringsEnd])
    }
}

/// A block's byte range inside the blob, for the overlap check.
struct BlockExtent {
    let start: Int
    let length: Int
    var end: Int { start + length }

    /// `start` if it lies after `origin` and before `limit`, else `limit`: finds where the
    /// block at `origin` must end.
    static func nearerStart(_ start: Int, after origin: Int, _ limit: Int) -> Int {
        start > origin && start < limit ? start : limit
    }

    /// Empty blocks overlap nothing.
    func overlaps(_ other: BlockExtent) -> Bool {
        length > 0 && other.length > 0 && start < other.end && other.start < end
    }
}

/// Grant table version 1: hand out grant references over `grant_entry_v1_t` entries and end access safely.
///
/// ```
/// grant_entry_v1 (8 bytes):  0 flags u16   2 domid u16   4 frame u32
/// ```
/// grant_table.h: to grant, write `frame` and `domid`, then (after a write barrier) `flags` =
/// GTF_permit_access [| GTF_readonly], because Xen may act on the entry as soon as the flags say so.
/// To end access, the flags go to 0 only if neither GTF_reading nor GTF_writing is set, with a
/// compare-and-swap, since Xen sets those bits while the other domain has the frame mapped.
/// References 0..<GNTTAB_NR_RESERVED_ENTRIES (8) are reserved for the toolstack (console, xenstore).
import XenABI

/// A grant reference: the index of an entry, given to the other domain (usually through xenstore).
public struct GrantReference: Equatable, Hashable {
    public let rawValue: UInt32

    public init(rawValue: UInt32) {
        self.rawValue = rawValue
    }
}

public final class GrantTable {
    static let entrySize = MemoryLayout<grant_entry_v1_t>.size
    static let flagsOffset = Int(seal_xen_offset_grant_entry_v1_flags())
    static let domainOffset = Int(seal_xen_offset_grant_entry_v1_domid())
    static let frameOffset = Int(seal_xen_offset_grant_entry_v1_frame())
    public static let reservedCount = UInt32(GNTTAB_NR_RESERVED_ENTRIES)
    static let permitAccess = UInt16(GTF_permit_access)
    static let readOnly = UInt16(GTF_readonly)
    static let inUse = UInt16(GTF_reading) | UInt16(GTF_writing)
    /// How often `endAccess` retries when Xen changes the flags between its read and its swap.
    static let swapAttempts = 8

    private let entries: UnsafeMutableRawPointer
    private let barrier: () -> Void
    public let count: UInt32
    private var free: [UInt32]
    private var granted: [Bool]

    /// A table of `count` entries at `entries` (the frames mapped with XENMEM_add_to_physmap /
    /// XENMAPSPACE_grant_table). Entries past the reserved ones are cleared.
    public init(entries: UnsafeMutableRawPointer, count: Int, barrier: @escaping () -> Void = XenMemory.fullBarrier) {
        self.entries = entries
        self.barrier = barrier
        let count = UInt32(clamping: max(count, 0))
        self.count = count
        granted = Array(repeating: false, count: Int(count))
        free = []
        if count > Self.reservedCount {
            let first = Int(Self.reservedCount) * Self.entrySize
            (entries + first).initializeMemory(as: UInt8.self, repeating: 0, count: (Int(count) - Int(Self.reservedCount)) * Self.entrySize)
            free.reserveCapacity(Int(count - Self.reservedCount))
            // Handed out lowest first.
            var reference = count
            while reference > Self.reservedCount {
                reference -= 1
                free.append(reference)
            }
        }
    }

    /// References available.
    public var freeCount: Int { free.count }

    /// Lets `domain` map `frame` (read-only or read-write) and returns the reference to give it.
    public func grantAccess(domain: UInt16, frame: UInt32, readOnly: Bool) throws(XenError) -> GrantReference {
        guard let reference = free.popLast() else { throw .grantTableFull }
        let entry = entries + Int(reference) * Self.entrySize
        entry.storeBytes(of: frame, toByteOffset: Self.frameOffset, as: UInt32.self)
        entry.storeBytes(of: domain, toByteOffset: Self.domainOffset, as: UInt16.self)
        barrier()  // grant_table.h: frame and domid visible before the flags that validate them
        entry.storeBytes(of: Self.permitAccess | (readOnly ? Self.readOnly : 0), toByteOffset: Self.flagsOffset, as: UInt16.self)
        granted[Int(reference)] = true
        return GrantReference(rawValue: reference)
    }

    /// Withdraws the grant. Throws `.grantInUse` while the other domain has the frame mapped (try
    /// again after it unmaps; the frame must not be reused before this succeeds) and
    /// `.invalidGrantReference` for a reference not granted.
    public func endAccess(_ reference: GrantReference) throws(XenError) {
        let index = reference.rawValue
        guard index >= Self.reservedCount, index < count, granted[Int(index)] else {
            throw .invalidGrantReference(index)
        }
        let flags = entries + Int(index) * Self.entrySize + Self.flagsOffset
        var ended = false
        for _ in 0..<Self.swapAttempts {
            let current = seal_xen_load16(UnsafeRawPointer(flags))
            if current & Self.inUse != 0 { throw .grantInUse(index) }
            if seal_xen_compare_exchange16(flags, current, 0) != 0 {
                ended = true
                break
            }
        }
        // Xen kept changing the flags: the backend is busy with the frame.
        guard ended else { throw .grantInUse(index) }
        barrier()  // the entry is invalid before the frame is reused
        granted[Int(index)] = false
        free.append(index)
    }

    /// True while `reference` is granted (for checks before handing it out again).
    public func isGranted(_ reference: GrantReference) -> Bool {
        reference.rawValue < count && granted[Int(reference.rawValue)]
    }
}

// Reservations: the memory reservation block (§5.3), as a Sequence of address ranges.

/// A range of physical (or CPU) addresses: a reservation, a `reg` entry, a memory region.
public struct AddressRange: Equatable, Sendable {
    public let address: UInt64
    public let size: UInt64

    public init(address: UInt64, size: UInt64) {
        self.address = address
        self.size = size
    }
}

extension DeviceTree {
    /// The memory reservation entries (/memreserve/), in blob order, without the
    /// terminator. The list ends at the first entry whose size is 0 (libfdt's rule), or
    /// early at the next block when unterminated (`validate()` reports that).
    public var reservations: Reservations { Reservations(tree: self) }

    /// The number of reservation entries, not counting the terminator.
    /// Errors: `unterminatedReservations` when no entry of size 0 comes before the next
    /// block (or the end of the blob).
    public func reservationCount() throws(DeviceTreeError) -> Int {
        var count = 0
        var position = reservationsStart
        while reservationsLimit - position >= DeviceTree.reservationEntrySize {
            if blob.bigEndianUInt64(at: position + 8) == 0 { return count }
            count += 1
            position += DeviceTree.reservationEntrySize
        }
        throw .unterminatedReservations
    }
}

/// The memory reservation entries. Ends at the terminator or, if there is none, at the
/// next block.
public struct Reservations: Sequence {
    let tree: DeviceTree

    public struct Iterator: IteratorProtocol {
        let tree: DeviceTree
        var position: Int

        public mutating func next() -> AddressRange? {
            guard tree.reservationsLimit - position >= DeviceTree.reservationEntrySize else { return nil }
            let size = tree.blob.bigEndianUInt64(at: position + 8)
            guard size != 0 else { return nil }
            defer { position += DeviceTree.reservationEntrySize }
            return AddressRange(address: tree.blob.bigEndianUInt64(at: position), size: size)
        }
    }

    public func makeIterator() -> Iterator {
        Iterator(tree: tree, position: tree.reservationsStart)
    }
}

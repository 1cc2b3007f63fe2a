// AddressTranslation: bus addresses to CPU addresses through every parent's `ranges` (§2.3.8).

/// Translates addresses on one bus (the child address space of a node) to CPU addresses,
/// applying the `ranges` of that bus and of every ancestor up to the root, whose child
/// address space is the CPU's.
///
/// Rules (§2.3.8, as Linux's of_translate_address): a bus without `ranges` is not
/// translatable; an empty `ranges` maps 1:1; otherwise the address must fall inside one
/// entry `(child-bus-address, parent-bus-address, length)`, whose widths are the bus's
/// `#address-cells`, its parent's `#address-cells` and the bus's `#size-cells`.
struct AddressTranslation {
    /// The bus and its ancestors, root first: `chain.node(atDepth: busDepth)` is the bus.
    let chain: AncestorChain
    var busDepth: Int { chain.count - 1 }

    /// The translation for addresses in the child address space of the last node of
    /// `busAndAncestors` (the root first).
    init(busAndAncestors: AncestorChain) {
        chain = busAndAncestors
    }

    /// The CPU address of `address` on the bus.
    /// Errors: `untranslatableAddress`, `numberTooWide`, `badPropertyLength`, `badCellCount`,
    /// structure errors met on the way.
    func translate(_ address: UInt64) throws(DeviceTreeError) -> UInt64 {
        var current = address
        var depth = busDepth
        while depth > 0 {
            current = try translateOneLevel(current, bus: chain.node(atDepth: depth),
                                            busParent: chain.node(atDepth: depth - 1))
            depth -= 1
        }
        return current
    }

    /// Applies one bus's `ranges`.
    func translateOneLevel(_ address: UInt64, bus: Node, busParent: Node) throws(DeviceTreeError) -> UInt64 {
        guard let ranges = try bus.property(named: "ranges") else { throw .untranslatableAddress }
        if ranges.isEmpty { return address }
        let childCells = try bus.addressCells
        let sizeCells = try bus.sizeCells
        let parentCells = try busParent.addressCells
        let entrySize = (childCells + parentCells + sizeCells) * 4
        guard entrySize > 0 else { throw .badCellCount }
        let bytes = ranges.bytes
        guard bytes.count % entrySize == 0 else { throw .badPropertyLength }
        var offset = 0
        while offset < bytes.count {
            defer { offset += entrySize }
            // An entry whose child address needs more than 64 bits (a PCI space code in
            // the top cell) cannot contain a 64-bit address.
            guard let childBase = CellNumber.read(bytes, at: offset, cells: childCells) else { continue }
            let length = CellNumber.readSaturating(bytes, at: offset + (childCells + parentCells) * 4, cells: sizeCells)
            guard address >= childBase, address - childBase < length else { continue }
            guard let parentBase = CellNumber.read(bytes, at: offset + childCells * 4, cells: parentCells) else {
                throw .numberTooWide
            }
            let (translated, overflow) = parentBase.addingReportingOverflow(address - childBase)
            guard !overflow else { throw .numberTooWide }
            return translated
        }
        throw .untranslatableAddress
    }
}

/// Numbers stored as big-endian u32 cells, most significant first (§2.2.4.1).
enum CellNumber {
    /// The number in `cells` cells at `offset`, or nil when it needs more than 64 bits.
    /// The caller keeps `offset + cells * 4` inside `bytes`.
    static func read(_ bytes: UnsafeRawBufferPointer, at offset: Int, cells: Int) -> UInt64? {
        var value: UInt64 = 0
        var index = 0
        while index < cells {
            if value >> 32 != 0 { return nil }
            value = value << 32 | UInt64(bytes.bigEndianUInt32(at: offset + index * 4))
            index += 1
        }
        return value
    }

    /// As `read`, but a number wider than 64 bits reads as UInt64.max (a size that covers
    /// everything).
    static func readSaturating(_ bytes: UnsafeRawBufferPointer, at offset: Int, cells: Int) -> UInt64 {
        read(bytes, at: offset, cells: cells) ?? UInt64.max
    }
}

extension Node {
    /// The CPU address of `address` in this node's child address space (the address a
    /// child's `reg` would hold), through this node's and every ancestor's `ranges`.
    /// Errors: `untranslatableAddress`, `numberTooWide`, `badPropertyLength`,
    /// `badCellCount`, structure errors.
    public func translate(childAddress address: UInt64) throws(DeviceTreeError) -> UInt64 {
        try AddressTranslation(busAndAncestors: tree.ancestors(of: self).appending(self)).translate(address)
    }
}

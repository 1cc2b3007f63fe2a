// Registers: a node's `reg` entries (§2.3.6), decoded and translated to CPU addresses.

extension Node {
    /// The `reg` entries in CPU addresses: decoded with the parent's `#address-cells` and
    /// `#size-cells` and translated through every parent's `ranges`. Empty without `reg`.
    /// All entries are translated up front, so iteration cannot fail.
    /// Errors: `badPropertyLength` (not whole entries), `badCellCount` (zero-width entries,
    /// cells > 4), `numberTooWide` (an address or size over 64 bits),
    /// `untranslatableAddress` (a bus without `ranges`, or no range holds the address),
    /// structure errors.
    public var registers: Registers {
        get throws(DeviceTreeError) {
            guard let reg = try property(named: "reg"), !reg.isEmpty else {
                return Registers(bytes: tree.blob.slice(0, 0), addressCells: 0, sizeCells: 0, translation: nil)
            }
            let bytes = reg.bytes
            // The root has no parent: its `reg`, if any, uses the defaults and the CPU's space.
            var translation: AddressTranslation?
            var addressCells = 2
            var sizeCells = 1
            if !isRoot {
                let ancestors = try tree.ancestors(of: self)
                let bus = ancestors.node(atDepth: depth - 1)
                addressCells = try bus.addressCells
                sizeCells = try bus.sizeCells
                translation = AddressTranslation(busAndAncestors: ancestors)
            }
            let entrySize = (addressCells + sizeCells) * 4
            guard entrySize > 0 else { throw .badCellCount }
            guard bytes.count % entrySize == 0 else { throw .badPropertyLength }
            let registers = Registers(bytes: bytes, addressCells: addressCells, sizeCells: sizeCells,
                                      translation: translation)
            var index = 0
            while index < registers.count {
                _ = try registers.range(at: index)
                index += 1
            }
            return registers
        }
    }
}

/// A node's `reg` entries, as CPU address ranges.
public struct Registers: Sequence {
    let bytes: UnsafeRawBufferPointer
    /// The parent's `#address-cells` and `#size-cells` (both 0 when the node has no `reg`).
    public let addressCells: Int
    public let sizeCells: Int
    /// nil for the root's `reg`, which is already in CPU addresses.
    let translation: AddressTranslation?

    init(bytes: UnsafeRawBufferPointer, addressCells: Int, sizeCells: Int, translation: AddressTranslation?) {
        self.bytes = bytes
        self.addressCells = addressCells
        self.sizeCells = sizeCells
        self.translation = translation
    }

    /// The number of entries.
    public var count: Int {
        let entrySize = (addressCells + sizeCells) * 4
        return entrySize == 0 ? 0 : bytes.count / entrySize
    }

    /// Entry `index` as the parent bus sees it, before `ranges` translation.
    /// Errors: `numberTooWide`.
    public func busRange(at index: Int) throws(DeviceTreeError) -> AddressRange {
        precondition(index >= 0 && index < count, "register index out of range")
        let offset = index * (addressCells + sizeCells) * 4
        guard let address = CellNumber.read(bytes, at: offset, cells: addressCells),
              let size = CellNumber.read(bytes, at: offset + addressCells * 4, cells: sizeCells) else {
            throw .numberTooWide
        }
        return AddressRange(address: address, size: size)
    }

    /// Entry `index` in CPU addresses. Errors: as `Node.registers`.
    public func range(at index: Int) throws(DeviceTreeError) -> AddressRange {
        let busRange = try busRange(at: index)
        guard let translation else { return busRange }
        return AddressRange(address: try translation.translate(busRange.address), size: busRange.size)
    }

    public struct Iterator: IteratorProtocol {
        let registers: Registers
        var index = 0

        public mutating func next() -> AddressRange? {
            guard index < registers.count, let range = try? registers.range(at: index) else { return nil }
            index += 1
            return range
        }
    }

    public func makeIterator() -> Iterator { Iterator(registers: self) }
}

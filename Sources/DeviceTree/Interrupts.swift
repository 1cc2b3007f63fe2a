// Interrupts: `interrupts`, `interrupt-parent` and `interrupts-extended` (§2.4).

/// One interrupt specifier: the controller it is for and its `#interrupt-cells` cells
/// (for a GIC: type, number, flags).
public struct InterruptSpecifier {
    /// The interrupt controller (or nexus) the cells are meant for.
    public let controller: Node
    /// The specifier's cells.
    public let cells: Cells
}

extension Node {
    /// `#interrupt-cells`: cells per specifier for interrupts routed to this node, or nil.
    /// Errors: `badPropertyLength`, `badCellCount` (0 or more than 16).
    public var interruptCells: Int? {
        get throws(DeviceTreeError) {
            guard let property = try property(named: "#interrupt-cells") else { return nil }
            let value = try property.u32
            guard value >= 1, value <= 16 else { throw .badCellCount }
            return Int(value)
        }
    }

    /// The node's interrupt parent (§2.4.1, as Linux's of_irq_find_parent): follow
    /// `interrupt-parent` if present, else go to the tree parent, until a node with
    /// `#interrupt-cells`. nil when the walk leaves the root.
    /// Errors: `unresolvedPhandle`, `referenceLoop` (more than `maximumReferenceHops`
    /// steps), `badPropertyLength`, structure errors.
    public var interruptParent: Node? {
        get throws(DeviceTreeError) {
            var current = self
            // The ancestors of `current`, kept while climbing so each step up is free.
            var ancestors: AncestorChain?
            var hops = 0
            while hops < DeviceTree.maximumReferenceHops {
                hops += 1
                let next: Node
                if let link = try current.property(named: "interrupt-parent") {
                    next = try tree.resolve(phandle: try link.u32)
                    ancestors = nil
                } else if current.isRoot {
                    return nil
                } else {
                    var chain: AncestorChain
                    if let known = ancestors { chain = known } else { chain = try tree.ancestors(of: current) }
                    next = chain.node(atDepth: current.depth - 1)
                    chain.count -= 1
                    ancestors = chain
                }
                if try next.property(named: "#interrupt-cells") != nil { return next }
                current = next
            }
            throw .referenceLoop
        }
    }

    /// The node's interrupt specifiers: from `interrupts-extended` (each entry names its
    /// controller by phandle) if present, else from `interrupts` with the interrupt parent's
    /// `#interrupt-cells`. Empty when the node has neither. Every entry is resolved up front,
    /// so iteration cannot fail. `interrupt-map` nexus translation is not applied.
    /// Errors: `badPropertyLength` (not whole specifiers), `unresolvedPhandle`,
    /// `referenceLoop`, `badCellCount`, `badPropertyValue` (`interrupts` without an
    /// interrupt parent), structure errors.
    public var interrupts: Interrupts {
        get throws(DeviceTreeError) {
            if let extended = try property(named: "interrupts-extended") {
                let interrupts = Interrupts(tree: tree, bytes: extended.bytes, controller: nil, cellsPerSpecifier: 0)
                var position = 0
                while position < extended.bytes.count {
                    position = try interrupts.specifier(at: position).next
                }
                return interrupts
            }
            guard let property = try property(named: "interrupts"), !property.isEmpty else {
                return Interrupts(tree: tree, bytes: tree.blob.slice(0, 0), controller: nil, cellsPerSpecifier: 0)
            }
            guard let controller = try interruptParent else { throw .badPropertyValue }
            guard let cells = try controller.interruptCells else { throw .badCellCount }
            guard property.bytes.count % (cells * 4) == 0 else { throw .badPropertyLength }
            return Interrupts(tree: tree, bytes: property.bytes, controller: controller, cellsPerSpecifier: cells)
        }
    }
}

/// A node's interrupt specifiers, in property order.
public struct Interrupts: Sequence {
    let tree: DeviceTree
    let bytes: UnsafeRawBufferPointer
    /// The interrupt parent for `interrupts`; nil for `interrupts-extended`.
    let controller: Node?
    let cellsPerSpecifier: Int

    /// The specifier starting at byte `position` and where the next one starts.
    func specifier(at position: Int) throws(DeviceTreeError) -> (specifier: InterruptSpecifier, next: Int) {
        let remaining = bytes.count - position
        if let controller {
            let length = cellsPerSpecifier * 4
            guard remaining >= length else { throw .badPropertyLength }
            return (InterruptSpecifier(controller: controller, cells: Cells(bytes: bytes.slice(position, position + length))),
                    position + length)
        }
        // interrupts-extended: <phandle cell…> repeated, each with its controller's width.
        guard remaining >= 4 else { throw .badPropertyLength }
        let controller = try tree.resolve(phandle: bytes.bigEndianUInt32(at: position))
        guard let cells = try controller.interruptCells else { throw .badCellCount }
        guard remaining - 4 >= cells * 4 else { throw .badPropertyLength }
        let start = position + 4
        return (InterruptSpecifier(controller: controller, cells: Cells(bytes: bytes.slice(start, start + cells * 4))),
                start + cells * 4)
    }

    /// The number of specifiers (for `interrupts-extended`, a walk resolving each phandle).
    public var count: Int {
        var count = 0
        for _ in self { count += 1 }
        return count
    }

    public struct Iterator: IteratorProtocol {
        let interrupts: Interrupts
        var position = 0

        public mutating func next() -> InterruptSpecifier? {
            guard position < interrupts.bytes.count,
                  let (specifier, next) = try? interrupts.specifier(at: position) else { return nil }
            position = next
            return specifier
        }
    }

    public func makeIterator() -> Iterator { Iterator(interrupts: self) }
}

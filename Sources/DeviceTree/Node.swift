// Node: a node of the tree as an offset into the blob, with property and child lookups.

/// A node: the offset of its FDT_BEGIN_NODE token, like libfdt's node offsets, plus the
/// offset of its parent and its depth, which the walk that found it already knew.
/// Cheap to copy; valid as long as the blob is.
public struct Node {
    /// The tree the node belongs to.
    public let tree: DeviceTree
    /// Absolute blob offset of the node's FDT_BEGIN_NODE token.
    let position: Int
    /// Absolute blob offset of the parent's FDT_BEGIN_NODE token; -1 for the root.
    let parentPosition: Int
    /// 0 for the root, 1 for its children, and so on.
    public let depth: Int

    init(tree: DeviceTree, position: Int, parentPosition: Int, depth: Int) {
        self.tree = tree
        self.position = position
        self.parentPosition = parentPosition
        self.depth = depth
    }

    /// The offset of the node inside the structure block: libfdt's node offset.
    public var offset: Int { position - tree.structureStart }

    /// Whether this is the root node.
    public var isRoot: Bool { parentPosition < 0 }

    /// The offset just past the name's NUL. The walk that made the node found that NUL
    /// inside the structure block; the fallback only keeps this total.
    var nameEnd: Int {
        tree.blob.firstNUL(from: position + 4, to: tree.structureEnd) ?? (position + 4)
    }

    /// The full unit name, `name@unit-address` (§2.2.1), without NUL; empty for the root.
    public var name: UnsafeRawBufferPointer { tree.blob.slice(position + 4, nameEnd) }

    /// The name before any `@`.
    public var baseName: UnsafeRawBufferPointer {
        let name = self.name
        return name.slice(0, name.firstIndex(of: UInt8(ascii: "@")) ?? name.count)
    }

    /// The unit address after `@`, or empty.
    public var unitAddress: UnsafeRawBufferPointer {
        let name = self.name
        guard let at = name.firstIndex(of: UInt8(ascii: "@")) else { return name.slice(0, 0) }
        return name.slice(at + 1, name.count)
    }

    /// The position of the first token inside the node.
    var contentPosition: Int { alignedToToken(nameEnd + 1) }

    /// The node's properties, in blob order. Ends early on malformed data.
    public var properties: Properties { Properties(node: self) }

    /// The node's children, in blob order. Ends early on malformed data.
    public var children: Children { Children(parent: self) }

    /// The property called `name`, or nil.
    /// Errors: structure errors met on the way, `propertyNameOutOfBounds`,
    /// `unterminatedPropertyName`.
    public func property(named name: UnsafeRawBufferPointer) throws(DeviceTreeError) -> Property? {
        var walker = PropertyWalker(node: self)
        while let found = try walker.nextToken() {
            if try tree.propertyName(at: found.nameOffset, equals: name) {
                return try walker.property(from: found)
            }
        }
        return nil
    }

    /// The property called `name`, or nil.
    public func property(named name: StaticString) throws(DeviceTreeError) -> Property? {
        try name.withBytes { bytes throws(DeviceTreeError) in try property(named: bytes) }
    }

    /// The child whose unit name is `name`; a name without `@` also matches a child whose
    /// name is `name@…` (libfdt's rule, so `memory` finds `memory@40000000`).
    public func child(named name: UnsafeRawBufferPointer) throws(DeviceTreeError) -> Node? {
        var walker = ChildWalker(parent: self)
        let matchesAnyUnit = name.firstIndex(of: UInt8(ascii: "@")) == nil
        while let child = try walker.next() {
            let childName = child.name
            guard childName.count >= name.count, childName.slice(0, name.count).equals(name) else { continue }
            if childName.count == name.count { return child }
            if matchesAnyUnit, childName[name.count] == UInt8(ascii: "@") { return child }
        }
        return nil
    }

    /// The child named `name` (see `child(named:)` for bytes).
    public func child(named name: StaticString) throws(DeviceTreeError) -> Node? {
        try name.withBytes { bytes throws(DeviceTreeError) in try child(named: bytes) }
    }

    /// The parent node, or nil for the root. A walk from the start of the structure block
    /// when the node is more than two levels deep.
    public var parent: Node? {
        get throws(DeviceTreeError) {
            guard parentPosition >= 0 else { return nil }
            return try tree.ancestors(of: self).node(atDepth: depth - 1)
        }
    }

    /// `#address-cells`: cells of an address in this node's children's `reg` (default 2,
    /// §2.3.5). Errors: `badPropertyLength`, `badCellCount` (more than 4).
    public var addressCells: Int {
        get throws(DeviceTreeError) { try cellCount(named: "#address-cells", default: 2) }
    }

    /// `#size-cells`: cells of a size in this node's children's `reg` (default 1, §2.3.5).
    public var sizeCells: Int {
        get throws(DeviceTreeError) { try cellCount(named: "#size-cells", default: 1) }
    }

    func cellCount(named name: StaticString, default defaultValue: Int) throws(DeviceTreeError) -> Int {
        guard let property = try property(named: name) else { return defaultValue }
        let value = try property.u32
        guard value <= 4 else { throw .badCellCount }
        return Int(value)
    }

    /// The node's phandle (`phandle`, or the older `linux,phandle`), or nil (§2.3.3).
    /// Errors: `badPropertyLength`, structure errors.
    public var phandle: UInt32? {
        get throws(DeviceTreeError) {
            // One pass over the properties for both names: phandle lookups walk every node.
            var walker = PropertyWalker(node: self)
            var legacy: Property?
            while let found = try walker.nextToken() {
                if try tree.propertyName(at: found.nameOffset, equals: Node.phandleName) {
                    return try walker.property(from: found).u32
                }
                if legacy == nil, try tree.propertyName(at: found.nameOffset, equals: Node.legacyPhandleName) {
                    legacy = try walker.property(from: found)
                }
            }
            return try legacy?.u32
        }
    }

    static var phandleName: UnsafeRawBufferPointer { staticBytes("phandle") }
    static var legacyPhandleName: UnsafeRawBufferPointer { staticBytes("linux,phandle") }

    /// Whether `compatible` lists `model` (§2.3.1), compared whole and exactly.
    public func isCompatible(with model: UnsafeRawBufferPointer) throws(DeviceTreeError) -> Bool {
        guard let compatible = try property(named: "compatible") else { return false }
        return compatible.strings.contains(model)
    }

    /// Whether `compatible` lists `model`.
    public func isCompatible(with model: StaticString) throws(DeviceTreeError) -> Bool {
        try model.withBytes { bytes throws(DeviceTreeError) in try isCompatible(with: bytes) }
    }

    /// Whether `status` is absent, "okay" or "ok" (§2.3.4).
    public var isEnabled: Bool {
        get throws(DeviceTreeError) {
            guard let status = try property(named: "status") else { return true }
            let value = try status.stringBytes
            return value.equals("okay") || value.equals("ok")
        }
    }
}

extension Node: Equatable {
    /// Nodes are equal when they are the same node of the same blob.
    public static func == (left: Node, right: Node) -> Bool {
        left.position == right.position && left.tree.blob.baseAddress == right.tree.blob.baseAddress
    }
}

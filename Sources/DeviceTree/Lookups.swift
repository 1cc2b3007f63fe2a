// Lookups: nodes by path (with aliases, §3.3) and by phandle (§2.3.3).

extension DeviceTree {
    /// The node at `path`: absolute (`/soc/uart@1c28000`), or starting with an alias
    /// (`serial0`, `ethernet0/mdio`) that `/aliases` maps to a path, as libfdt's
    /// fdt_path_offset and Linux's of_find_node_by_path. Repeated `/` are skipped; a
    /// component without `@` also matches a node named `component@…`. nil when no such node
    /// (or alias) exists. An alias may name another alias, up to `maximumAliasHops` deep
    /// (each hop is a recursive call, so the bound is kept small for a small stack).
    /// Errors: structure errors met on the way; `unterminatedString` for an alias without
    /// NUL; `referenceLoop` for aliases that name each other in a circle.
    public func node(atPath path: UnsafeRawBufferPointer) throws(DeviceTreeError) -> Node? {
        try node(atPath: path, aliasHops: 0)
    }

    /// The node at `path` (see `node(atPath:)` for bytes).
    public func node(atPath path: StaticString) throws(DeviceTreeError) -> Node? {
        try path.withBytes { bytes throws(DeviceTreeError) in try node(atPath: bytes) }
    }

    func node(atPath path: UnsafeRawBufferPointer, aliasHops: Int) throws(DeviceTreeError) -> Node? {
        guard !path.isEmpty else { return nil }
        if path[0] == UInt8(ascii: "/") {
            return try descend(from: root, along: path, from: 0)
        }
        guard aliasHops < DeviceTree.maximumAliasHops else { throw .referenceLoop }
        let aliasEnd = path.firstIndex(of: UInt8(ascii: "/")) ?? path.count
        guard let target = try alias(named: path.slice(0, aliasEnd)),
              let aliased = try node(atPath: target, aliasHops: aliasHops + 1) else { return nil }
        return try descend(from: aliased, along: path, from: aliasEnd)
    }

    /// The value `/aliases` gives for `name` (normally an absolute path), without NUL, or
    /// nil. Errors: structure errors; `unterminatedString`.
    public func alias(named name: UnsafeRawBufferPointer) throws(DeviceTreeError) -> UnsafeRawBufferPointer? {
        guard let aliases = try root.child(named: "aliases"),
              let property = try aliases.property(named: name) else { return nil }
        return try property.stringBytes
    }

    /// Follows the components of `path` after `start` down from `node`.
    func descend(from node: Node, along path: UnsafeRawBufferPointer, from start: Int) throws(DeviceTreeError) -> Node? {
        var current = node
        var index = start
        while index < path.count {
            if path[index] == UInt8(ascii: "/") {
                index += 1
                continue
            }
            let end = path.firstIndex(of: UInt8(ascii: "/"), from: index) ?? path.count
            guard let child = try current.child(named: path.slice(index, end)) else { return nil }
            current = child
            index = end
        }
        return current
    }

    /// The node whose `phandle` (or `linux,phandle`) is `phandle`; nil for none and for the
    /// reserved values 0 and 0xffffffff. One walk over the tree.
    /// Errors: structure errors met on the way; `badPropertyLength` for a phandle that is
    /// not one cell.
    public func node(withPhandle phandle: UInt32) throws(DeviceTreeError) -> Node? {
        guard phandle != 0, phandle != 0xffff_ffff else { return nil }
        var walker = NodeWalker(tree: self)
        while let node = try walker.next() {
            if try node.phandle == phandle { return node }
        }
        return nil
    }

    /// As `node(withPhandle:)`, but a phandle that matches no node is an error.
    /// Errors: as `node(withPhandle:)`; `unresolvedPhandle`.
    func resolve(phandle: UInt32) throws(DeviceTreeError) -> Node {
        guard let node = try node(withPhandle: phandle) else { throw .unresolvedPhandle }
        return node
    }
}

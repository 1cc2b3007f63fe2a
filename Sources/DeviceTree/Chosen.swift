// Chosen: the `/chosen` node's boot parameters (§3.6): bootargs, stdout-path, seeds.

/// The console `/chosen/stdout-path` names.
public struct StandardOutput {
    /// The console's node (aliases resolved).
    public let node: Node
    /// What followed `:` in the path (`115200n8`), or empty.
    public let options: UnsafeRawBufferPointer
}

extension DeviceTree {
    /// The `/chosen` node, or nil.
    public var chosen: Node? {
        get throws(DeviceTreeError) { try root.child(named: "chosen") }
    }

    /// `/chosen/bootargs`: the kernel command line, without NUL, or nil.
    /// Errors: `unterminatedString`, structure errors.
    public var bootArguments: UnsafeRawBufferPointer? {
        get throws(DeviceTreeError) {
            guard let property = try chosen?.property(named: "bootargs") else { return nil }
            return try property.stringBytes
        }
    }

    /// The console from `/chosen/stdout-path` (or the older `linux,stdout-path`): a path
    /// or an alias, optionally followed by `:options` (§3.6), which is split off. nil when
    /// the property is absent.
    /// Errors: `badPropertyValue` when the path names no node, `unterminatedString`,
    /// lookup errors.
    public var standardOutput: StandardOutput? {
        get throws(DeviceTreeError) {
            guard let chosen = try chosen else { return nil }
            var property = try chosen.property(named: "stdout-path")
            if property == nil { property = try chosen.property(named: "linux,stdout-path") }
            guard let property else { return nil }
            let value = try property.stringBytes
            let colon = value.firstIndex(of: UInt8(ascii: ":"))
            let path = value.slice(0, colon ?? value.count)
            let options = colon.map { value.slice($0 + 1, value.count) } ?? value.slice(0, 0)
            guard let node = try node(atPath: path) else { throw .badPropertyValue }
            return StandardOutput(node: node, options: options)
        }
    }

    /// `/chosen/rng-seed`: random bytes from the boot loader for the entropy pool, or nil.
    public var randomSeed: UnsafeRawBufferPointer? {
        get throws(DeviceTreeError) { try chosen?.property(named: "rng-seed")?.bytes }
    }

    /// `/chosen/kaslr-seed`: a 64-bit seed (one or two cells), or nil.
    /// Errors: `badPropertyLength`.
    public var kaslrSeed: UInt64? {
        get throws(DeviceTreeError) {
            guard let property = try chosen?.property(named: "kaslr-seed") else { return nil }
            guard property.bytes.count == 4 || property.bytes.count == 8 else { throw .badPropertyLength }
            return CellNumber.read(property.bytes, at: 0, cells: property.bytes.count / 4)
        }
    }
}

// Platform: what a board asks the tree at boot: model, memory, CPUs, PSCI (§3.2–§3.8).

/// How to call PSCI firmware (the `/psci` node's `method`).
public enum PSCIMethod: Equatable, Sendable {
    /// Secure monitor call: firmware at EL3 / monitor mode.
    case smc
    /// Hypervisor call: firmware (or a hypervisor such as QEMU's or Xen's) at EL2.
    case hvc
}

extension DeviceTree {
    /// The root's `model` (§3.2), without NUL, or nil.
    public var model: UnsafeRawBufferPointer? {
        get throws(DeviceTreeError) { try root.property(named: "model")?.stringBytes }
    }

    /// The RAM: the `reg` of every enabled node whose `device_type` is "memory" (§3.4), in
    /// blob order, translated to CPU addresses. All entries are decoded up front.
    /// Errors: as `Node.registers`, structure errors.
    public var memoryRegions: MemoryRegions {
        get throws(DeviceTreeError) {
            var walker = NodeWalker(tree: self)
            var count = 0
            while let node = try walker.next() {
                if try node.isMemory { count += try node.registers.count }
            }
            return MemoryRegions(tree: self, count: count)
        }
    }

    /// The number of `/cpus/cpu` and `/cpus/cpu@…` nodes (§3.7); 0 without `/cpus`.
    public var cpuCount: Int {
        get throws(DeviceTreeError) {
            guard let cpus = try root.child(named: "cpus") else { return 0 }
            var walker = ChildWalker(parent: cpus)
            var count = 0
            while let child = try walker.next() {
                if child.baseName.equals("cpu") { count += 1 }
            }
            return count
        }
    }

    /// The PSCI conduit from `/psci` (or the first node compatible with arm,psci-1.0,
    /// arm,psci-0.2 or arm,psci), or nil when there is none.
    /// Errors: `badPropertyValue` for a method other than "smc" or "hvc", lookup errors.
    public var psciMethod: PSCIMethod? {
        get throws(DeviceTreeError) {
            var psci = try root.child(named: "psci")
            if psci == nil { psci = try firstNode(compatibleWith: "arm,psci-1.0") }
            if psci == nil { psci = try firstNode(compatibleWith: "arm,psci-0.2") }
            if psci == nil { psci = try firstNode(compatibleWith: "arm,psci") }
            guard let method = try psci?.property(named: "method") else { return nil }
            let value = try method.stringBytes
            if value.equals("smc") { return .smc }
            if value.equals("hvc") { return .hvc }
            throw .badPropertyValue
        }
    }
}

extension Node {
    /// Whether this is an enabled memory node (`device_type = "memory"`).
    var isMemory: Bool {
        get throws(DeviceTreeError) {
            guard let type = try property(named: "device_type"), try type.stringBytes.equals("memory") else {
                return false
            }
            return try isEnabled
        }
    }
}

/// The memory regions of every memory node, in blob order.
public struct MemoryRegions: Sequence {
    let tree: DeviceTree
    /// The number of regions.
    public let count: Int

    public struct Iterator: IteratorProtocol {
        var nodes: NodeWalker
        var ranges: Registers.Iterator?

        public mutating func next() -> AddressRange? {
            while true {
                if let range = ranges?.next() { return range }
                ranges = nil
                guard let node = try? nodes.next() else {
                    nodes.finished = true
                    return nil
                }
                if (try? node.isMemory) == true { ranges = (try? node.registers)?.makeIterator() }
            }
        }
    }

    public func makeIterator() -> Iterator { Iterator(nodes: NodeWalker(tree: tree), ranges: nil) }
}

// Nodes: the walk over every node in blob order, the root, and a node's ancestors.

/// Walks every node of the tree in blob order (depth first), keeping the offsets of the
/// open nodes in a fixed stack so each node knows its parent without a second walk.
/// Stops after the root's END_NODE; what follows is `validate()`'s business.
struct NodeWalker {
    let tree: DeviceTree
    var position: Int
    /// Absolute offsets of the open nodes, root first; `depth` of them are in use.
    var openNodes: InlineArray<64, UInt32>
    var depth = 0
    var finished = false

    init(tree: DeviceTree) {
        self.tree = tree
        position = tree.structureStart
        openNodes = InlineArray(repeating: 0)
    }

    /// The next node, or nil after the root closes.
    /// Errors: structure errors met on the way, `nestingTooDeep`, `unexpectedEndNode`,
    /// `propertyOutsideNode`, `unclosedNode`, `missingRootNode`.
    mutating func next() throws(DeviceTreeError) -> Node? {
        while !finished {
            let here = position
            let (token, next) = try tree.token(at: here)
            position = next
            switch token {
            case .beginNode:
                guard depth < DeviceTree.maximumDepth, depth < openNodes.count else { throw .nestingTooDeep }
                // The blob is at most totalsize (a u32) long, so its offsets fit in a u32.
                openNodes[depth] = UInt32(here)
                depth += 1
                let parent = depth >= 2 ? Int(openNodes[depth - 2]) : -1
                return Node(tree: tree, position: here, parentPosition: parent, depth: depth - 1)
            case .endNode:
                guard depth > 0 else { throw .unexpectedEndNode }
                depth -= 1
                if depth == 0 { finished = true }
            case .property:
                guard depth > 0 else { throw .propertyOutsideNode }
            case .nop:
                continue
            case .end:
                // The root's END_NODE stops the walk, so END here means no root was closed.
                throw depth > 0 ? .unclosedNode : .missingRootNode
            }
        }
        return nil
    }
}

/// The offsets of a node's ancestors, root first.
struct AncestorChain {
    let tree: DeviceTree
    var positions: InlineArray<64, UInt32>
    /// The number of ancestors: the node's depth.
    var count: Int

    /// The chain with `node` (whose parent is the last entry) appended.
    func appending(_ node: Node) -> AncestorChain {
        var longer = self
        longer.positions[count] = UInt32(node.position)
        longer.count += 1
        return longer
    }

    /// The ancestor at `depth` (0 is the root), which must be below `count`.
    func node(atDepth depth: Int) -> Node {
        Node(tree: tree, position: Int(positions[depth]),
             parentPosition: depth > 0 ? Int(positions[depth - 1]) : -1, depth: depth)
    }
}

extension DeviceTree {
    /// Every node in blob order, root first. Ends early on malformed data; `validate()`
    /// reports it.
    public var nodes: Nodes { Nodes(tree: self) }

    /// The root node. Errors: structure errors before it, `missingRootNode`.
    public var root: Node {
        get throws(DeviceTreeError) {
            var walker = NodeWalker(tree: self)
            guard let root = try walker.next() else { throw .missingRootNode }
            return root
        }
    }

    /// The ancestors of `node`, root first: from what the node knows when it is at most two
    /// levels deep, else by one walk from the start of the structure block.
    func ancestors(of node: Node) throws(DeviceTreeError) -> AncestorChain {
        var positions = InlineArray<64, UInt32>(repeating: 0)
        switch node.depth {
        case 0:
            return AncestorChain(tree: self, positions: positions, count: 0)
        case 1:
            positions[0] = UInt32(node.parentPosition)
            return AncestorChain(tree: self, positions: positions, count: 1)
        case 2:
            positions[0] = UInt32(try root.position)
            positions[1] = UInt32(node.parentPosition)
            return AncestorChain(tree: self, positions: positions, count: 2)
        default:
            var walker = NodeWalker(tree: self)
            while let found = try walker.next() {
                if found.position == node.position {
                    return AncestorChain(tree: self, positions: walker.openNodes, count: walker.depth - 1)
                }
            }
            // Unreachable for nodes this module made: they all lie inside the root.
            throw .missingRootNode
        }
    }

    /// The first node whose `compatible` lists `model`, or nil (libfdt's
    /// fdt_node_offset_by_compatible). Errors: structure errors met on the way.
    public func firstNode(compatibleWith model: UnsafeRawBufferPointer) throws(DeviceTreeError) -> Node? {
        var walker = NodeWalker(tree: self)
        while let node = try walker.next() {
            if try node.isCompatible(with: model) { return node }
        }
        return nil
    }

    /// The first node whose `compatible` lists `model`, or nil.
    public func firstNode(compatibleWith model: StaticString) throws(DeviceTreeError) -> Node? {
        try model.withBytes { bytes throws(DeviceTreeError) in try firstNode(compatibleWith: bytes) }
    }

    /// Every node whose `compatible` lists `model`, in blob order (all the virtio-mmio
    /// transports, say). Ends early on malformed data.
    public func nodes(compatibleWith model: StaticString) -> CompatibleNodes {
        CompatibleNodes(tree: self, model: model)
    }
}

/// Every node in blob order. Ends early on malformed data.
public struct Nodes: Sequence {
    let tree: DeviceTree

    public struct Iterator: IteratorProtocol {
        var walker: NodeWalker

        public mutating func next() -> Node? {
            do {
                return try walker.next()
            } catch {
                walker.finished = true
                return nil
            }
        }
    }

    public func makeIterator() -> Iterator { Iterator(walker: NodeWalker(tree: tree)) }
}

/// The nodes compatible with one model, in blob order. Ends early on malformed data.
public struct CompatibleNodes: Sequence {
    let tree: DeviceTree
    let model: StaticString

    public struct Iterator: IteratorProtocol {
        var nodes: Nodes.Iterator
        let model: StaticString

        public mutating func next() -> Node? {
            while let node = nodes.next() {
                if (try? node.isCompatible(with: model)) == true { return node }
            }
            return nil
        }
    }

    public func makeIterator() -> Iterator {
        Iterator(nodes: Nodes(tree: tree).makeIterator(), model: model)
    }
}

// Children: walking a node's direct subnodes, as a throwing walker and a Sequence.

/// Walks the direct children of one node, skipping over their subtrees.
struct ChildWalker {
    let parent: Node
    var position: Int
    /// How many nodes are open below `parent` at `position`.
    var depthBelowParent = 0
    var finished = false

    init(parent: Node) {
        self.parent = parent
        position = parent.contentPosition
    }

    /// The next child, or nil after the last.
    /// Errors: structure errors met on the way, `nestingTooDeep`, `unclosedNode`.
    mutating func next() throws(DeviceTreeError) -> Node? {
        while !finished {
            let here = position
            let (token, next) = try parent.tree.token(at: here)
            position = next
            switch token {
            case .beginNode:
                guard parent.depth + depthBelowParent + 1 < DeviceTree.maximumDepth else {
                    throw .nestingTooDeep
                }
                depthBelowParent += 1
                if depthBelowParent == 1 {
                    return Node(tree: parent.tree, position: here, parentPosition: parent.position,
                                depth: parent.depth + 1)
                }
            case .endNode:
                if depthBelowParent == 0 {
                    finished = true
                } else {
                    depthBelowParent -= 1
                }
            case .end:
                throw .unclosedNode
            case .property, .nop:
                continue
            }
        }
        return nil
    }
}

/// A node's direct children in blob order. Iteration ends early on malformed data;
/// `DeviceTree.validate()` reports it.
public struct Children: Sequence {
    let parent: Node

    public struct Iterator: IteratorProtocol {
        var walker: ChildWalker

        public mutating func next() -> Node? {
            do {
                return try walker.next()
            } catch {
                walker.finished = true
                return nil
            }
        }
    }

    public func makeIterator() -> Iterator {
        Iterator(walker: ChildWalker(parent: parent))
    }
}

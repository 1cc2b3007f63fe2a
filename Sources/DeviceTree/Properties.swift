// Properties: walking a node's FDT_PROP tokens, as a throwing walker and a Sequence.

/// Walks the properties of one node: the PROP tokens (and NOPs) that follow its
/// BEGIN_NODE, up to its first subnode or its END_NODE, as libfdt does.
struct PropertyWalker {
    let tree: DeviceTree
    var position: Int
    var finished = false

    init(node: Node) {
        tree = node.tree
        position = node.contentPosition
    }

    /// The next property token, undecoded name included.
    mutating func nextToken() throws(DeviceTreeError)
        -> (nameOffset: UInt32, valueStart: Int, valueLength: Int, position: Int)? {
        guard !finished else { return nil }
        let (token, position, next) = try tree.skippingNops(from: self.position)
        guard case .property(let nameOffset, let valueStart, let valueLength) = token else {
            finished = true
            return nil
        }
        self.position = next
        return (nameOffset, valueStart, valueLength, position)
    }

    /// The property for a token from `nextToken()`, with its name resolved.
    func property(from found: (nameOffset: UInt32, valueStart: Int, valueLength: Int, position: Int))
        throws(DeviceTreeError) -> Property {
        Property(
            name: try tree.propertyName(at: found.nameOffset),
            bytes: tree.blob.slice(found.valueStart, found.valueStart + found.valueLength),
            offset: found.position - tree.structureStart)
    }

    /// The next property, or nil after the last.
    mutating func next() throws(DeviceTreeError) -> Property? {
        guard let found = try nextToken() else { return nil }
        return try property(from: found)
    }
}

/// A node's properties in blob order. Iteration ends early on malformed data (a bad
/// token, a name outside the strings block); `DeviceTree.validate()` reports it.
public struct Properties: Sequence {
    let node: Node

    public struct Iterator: IteratorProtocol {
        var walker: PropertyWalker

        public mutating func next() -> Property? {
            do {
                return try walker.next()
            } catch {
                walker.finished = true
                return nil
            }
        }
    }

    public func makeIterator() -> Iterator {
        Iterator(walker: PropertyWalker(node: node))
    }
}

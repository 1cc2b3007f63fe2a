// Validate: the full structural walk that proves a blob safe to read (libfdt's fdt_check_full).

extension DeviceTree {
    /// Walks the reservation block and the whole structure block and throws the first
    /// defect. After it returns, every sequence runs to its natural end and lookups only
    /// fail on values (`badPropertyLength`, `unresolvedPhandle`, …), never on structure.
    ///
    /// Checks, beyond the header's: the reservation list ends before the next block;
    /// every token is known and lies inside the structure block; node names and property
    /// values do not run past it; property names lie inside the strings block and end in
    /// NUL; node names without `/`; exactly one root, unnamed, opened first; no property outside a node or after
    /// a subnode; balanced BEGIN_NODE/END_NODE; nesting of at most `maximumDepth`; an END
    /// token. Bytes after END are ignored, as libfdt does.
    ///
    /// Errors: `unterminatedReservations`, `truncatedStructure`, `missingEnd`, `badToken`,
    /// `propertyNameOutOfBounds`, `unterminatedPropertyName`, `unexpectedEndNode`,
    /// `unclosedNode`, `missingRootNode`, `namedRootNode`, `badNodeName`, `multipleRootNodes`,
    /// `propertyOutsideNode`, `propertyAfterSubnode`, `nestingTooDeep`.
    public func validate() throws(DeviceTreeError) {
        _ = try reservationCount()
        var position = structureStart
        var depth = 0
        var rootClosed = false
        // Whether the innermost open node has already had a subnode (§5.4.2: properties
        // come before subnodes).
        var subnodeSeen = false
        while true {
            let (token, next) = try token(at: position)
            switch token {
            case .beginNode(let nameEnd):
                guard !rootClosed else { throw .multipleRootNodes }
                if depth == 0, nameEnd != position + 4 { throw .namedRootNode }
                if blob.slice(position + 4, nameEnd).firstIndex(of: UInt8(ascii: "/")) != nil { throw .badNodeName }
                guard depth < DeviceTree.maximumDepth else { throw .nestingTooDeep }
                depth += 1
                subnodeSeen = false
            case .endNode:
                guard depth > 0 else { throw .unexpectedEndNode }
                depth -= 1
                subnodeSeen = true
                if depth == 0 { rootClosed = true }
            case .property(let nameOffset, _, _):
                guard depth > 0 else { throw .propertyOutsideNode }
                guard !subnodeSeen else { throw .propertyAfterSubnode }
                _ = try propertyName(at: nameOffset)
            case .nop:
                break
            case .end:
                guard depth == 0 else { throw .unclosedNode }
                guard rootClosed else { throw .missingRootNode }
                return
            }
            position = next
        }
    }
}

// DeviceTreeError: every way a blob or a lookup in it can fail, as one closed enum.

/// Why a device tree, or a lookup in it, failed. Thrown, never trapped on.
///
/// Header cases come from `DeviceTree(checkingHeader:)`; structure cases from `validate()`
/// and from any lookup that walks into the defect; value cases from lookups that decode
/// a property.
public enum DeviceTreeError: Error, Equatable, Sendable {
    // Header (§5.2).
    /// The buffer, or totalsize, is shorter than the header.
    case truncatedHeader
    /// The first word is not 0xd00dfeed.
    case badMagic
    /// version < 16, last_comp_version > 17, or version < last_comp_version.
    case badVersion
    /// totalsize is larger than the buffer (or the maximum size) given.
    case truncatedBlob
    /// A block starts before the end of the header or ends past totalsize.
    case blockOutOfBounds
    /// The reservation block is not 8-byte aligned or the structure block not 4-byte aligned.
    case misalignedBlock
    /// Two blocks share bytes.
    case overlappingBlocks

    // Memory reservation block (§5.3).
    /// No terminating entry before the next block (or the end of the blob).
    case unterminatedReservations

    // Structure block (§5.4) and strings block (§5.5).
    /// A token, node name or property value runs past the end of the structure block.
    case truncatedStructure
    /// The structure block ends without an FDT_END token.
    case missingEnd
    /// A token that is none of BEGIN_NODE, END_NODE, PROP, NOP, END.
    case badToken
    /// A property's nameoff points outside the strings block.
    case propertyNameOutOfBounds
    /// A property's name runs to the end of the strings block without a NUL.
    case unterminatedPropertyName
    /// END_NODE with no node open.
    case unexpectedEndNode
    /// END while nodes are still open.
    case unclosedNode
    /// END before any node: the tree has no root.
    case missingRootNode
    /// The root node has a non-empty name.
    case namedRootNode
    /// A node name contains `/` (§2.2.1 does not allow it), which would make paths ambiguous.
    case badNodeName
    /// A second node at the top level, after the root.
    case multipleRootNodes
    /// A property outside any node.
    case propertyOutsideNode
    /// A property after a subnode of the same node (§5.4.2 puts properties first).
    case propertyAfterSubnode
    /// Nodes nested deeper than `DeviceTree.maximumDepth`.
    case nestingTooDeep

    // Values and references (chapter 2).
    /// A value's length does not fit its type (a u32 that is not 4 bytes, a `reg` that is
    /// not whole entries).
    case badPropertyLength
    /// A string value without a terminating NUL.
    case unterminatedString
    /// `#address-cells`, `#size-cells` or `#interrupt-cells` out of range, or zero where
    /// entries must have a size.
    case badCellCount
    /// A number spread over cells does not fit in 64 bits.
    case numberTooWide
    /// A phandle that no node carries.
    case unresolvedPhandle
    /// An address that no parent bus's `ranges` maps, or a bus without `ranges`.
    case untranslatableAddress
    /// An interrupt-parent chain longer than `DeviceTree.maximumReferenceHops`, or aliases
    /// naming aliases deeper than `DeviceTree.maximumAliasHops`.
    case referenceLoop
    /// A value the property does not allow (an unknown PSCI method, a stdout-path naming no
    /// node, `interrupts` with no interrupt parent).
    case badPropertyValue

    /// A short human-readable reason, usable without `String` (Embedded Swift).
    public var reason: StaticString {
        switch self {
        case .truncatedHeader: "truncated header"
        case .badMagic: "bad magic"
        case .badVersion: "unsupported version"
        case .truncatedBlob: "blob larger than the buffer"
        case .blockOutOfBounds: "block out of bounds"
        case .misalignedBlock: "misaligned block"
        case .overlappingBlocks: "overlapping blocks"
        case .unterminatedReservations: "unterminated memory reservation block"
        case .truncatedStructure: "truncated structure block"
        case .missingEnd: "missing FDT_END"
        case .badToken: "bad token"
        case .propertyNameOutOfBounds: "property name outside the strings block"
        case .unterminatedPropertyName: "unterminated property name"
        case .unexpectedEndNode: "unexpected FDT_END_NODE"
        case .unclosedNode: "unclosed node"
        case .missingRootNode: "missing root node"
        case .namedRootNode: "root node has a name"
        case .badNodeName: "node name contains '/'"
        case .multipleRootNodes: "more than one root node"
        case .propertyOutsideNode: "property outside a node"
        case .propertyAfterSubnode: "property after a subnode"
        case .nestingTooDeep: "nodes nested too deep"
        case .badPropertyLength: "bad property length"
        case .unterminatedString: "unterminated string"
        case .badCellCount: "bad cell count"
        case .numberTooWide: "number wider than 64 bits"
        case .unresolvedPhandle: "unresolved phandle"
        case .untranslatableAddress: "untranslatable address"
        case .referenceLoop: "reference loop"
        case .badPropertyValue: "bad property value"
        }
    }
}

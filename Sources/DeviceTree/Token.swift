// Token: decoding one structure-block token (§5.4) and resolving property names (§5.5).

/// One structure-block token, decoded and bounds-checked.
enum Token {
    /// FDT_BEGIN_NODE; the name is `position + 4 ..< nameEnd` (nameEnd holds the NUL).
    case beginNode(nameEnd: Int)
    /// FDT_END_NODE.
    case endNode
    /// FDT_PROP; the value is `valueStart ..< valueStart + valueLength`.
    case property(nameOffset: UInt32, valueStart: Int, valueLength: Int)
    /// FDT_NOP.
    case nop
    /// FDT_END.
    case end

    static let beginNodeValue: UInt32 = 0x1
    static let endNodeValue: UInt32 = 0x2
    static let propertyValue: UInt32 = 0x3
    static let nopValue: UInt32 = 0x4
    static let endValue: UInt32 = 0x9
}

extension DeviceTree {
    /// Decodes the token at `position` (an absolute offset on a token boundary) and returns
    /// it with the position of the following token. Everything the token covers lies inside
    /// the structure block; the following position may lie past it (by the padding).
    /// Errors: `missingEnd`, `truncatedStructure`, `badToken`.
    func token(at position: Int) throws(DeviceTreeError) -> (token: Token, next: Int) {
        let remaining = structureEnd - position
        guard remaining > 0 else { throw .missingEnd }
        guard remaining >= 4 else { throw .truncatedStructure }
        switch blob.bigEndianUInt32(at: position) {
        case Token.beginNodeValue:
            guard let nameEnd = blob.firstNUL(from: position + 4, to: structureEnd) else {
                throw .truncatedStructure
            }
            return (.beginNode(nameEnd: nameEnd), alignedToToken(nameEnd + 1))
        case Token.propertyValue:
            guard remaining >= 12 else { throw .truncatedStructure }
            let length = blob.bigEndianUInt32(at: position + 4)
            let nameOffset = blob.bigEndianUInt32(at: position + 8)
            let valueStart = position + 12
            // Compare before adding: on a 32-bit target valueStart + length could overflow.
            guard UInt(length) <= UInt(structureEnd - valueStart) else { throw .truncatedStructure }
            let valueLength = Int(length)
            return (.property(nameOffset: nameOffset, valueStart: valueStart, valueLength: valueLength),
                    alignedToToken(valueStart + valueLength))
        case Token.endNodeValue:
            return (.endNode, position + 4)
        case Token.nopValue:
            return (.nop, position + 4)
        case Token.endValue:
            return (.end, position + 4)
        default:
            throw .badToken
        }
    }

    /// The property name at `nameOffset` in the strings block, without its NUL.
    /// Errors: `propertyNameOutOfBounds`, `unterminatedPropertyName`.
    func propertyName(at nameOffset: UInt32) throws(DeviceTreeError) -> UnsafeRawBufferPointer {
        guard UInt(nameOffset) < UInt(stringsEnd - stringsStart) else { throw .propertyNameOutOfBounds }
        let start = stringsStart + Int(nameOffset)
        guard let end = blob.firstNUL(from: start, to: stringsEnd) else { throw .unterminatedPropertyName }
        return blob.slice(start, end)
    }

    /// Whether the property name at `nameOffset` equals `name`, comparing only as far as
    /// needed. Errors: as `propertyName(at:)`, when the comparison meets the defect.
    func propertyName(at nameOffset: UInt32, equals name: UnsafeRawBufferPointer) throws(DeviceTreeError) -> Bool {
        guard UInt(nameOffset) < UInt(stringsEnd - stringsStart) else { throw .propertyNameOutOfBounds }
        var index = stringsStart + Int(nameOffset)
        for byte in name {
            if byte == 0 { return false }
            guard index < stringsEnd else { throw .unterminatedPropertyName }
            if blob[index] != byte { return false }
            index += 1
        }
        guard index < stringsEnd else { throw .unterminatedPropertyName }
        return blob[index] == 0
    }

    /// The position of the first token that is not a NOP, from `position`.
    func skippingNops(from position: Int) throws(DeviceTreeError) -> (token: Token, position: Int, next: Int) {
        var current = position
        while true {
            let (token, next) = try self.token(at: current)
            if case .nop = token {
                current = next
                continue
            }
            return (token, current, next)
        }
    }
}

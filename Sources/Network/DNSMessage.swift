/// DNS messages (RFC 1035 4): a checked view, name encoding, compressed-name walking with
/// loop and bounds checks, and A-record answers.

/// A non-owning view of a DNS message.
public struct DNSPacket {
    public let bytes: UnsafeRawBufferPointer

    private enum Field {
        static let identifier = 0
        static let flags = 2
        static let questionCount = 4
        static let answerCount = 6
        static let body = 12
    }

    static let headerLength = Field.body

    public init(unchecked bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    /// Makes the header accessors safe; names and records are checked as they are walked.
    public func checkLength() throws(WireError) {
        if bytes.count < Field.body { throw .truncated }
    }

    public var identifier: UInt16 { bytes.uint16(at: Field.identifier) }
    public var flags: UInt16 { bytes.uint16(at: Field.flags) }
    public var isResponse: Bool { flags & 0x8000 != 0 }
    public var isTruncated: Bool { flags & 0x0200 != 0 }
    public var responseCode: UInt8 { UInt8(flags & 0x000F) }
    public var questionCount: UInt16 { bytes.uint16(at: Field.questionCount) }
    public var answerCount: UInt16 { bytes.uint16(at: Field.answerCount) }

    /// Walks the (possibly compressed) name at `offset`; returns the offset just after it in
    /// the message. When `expected` (an encoded name) is given, the name must equal it, ignoring
    /// ASCII case. Pointers must point strictly backwards (RFC 1035 4.1.4 allows only prior
    /// occurrences), which rules out loops; the decoded name is at most 255 bytes.
    func walkName(at offset: Int, expected: UnsafeRawBufferPointer? = nil) throws(WireError) -> Int {
        var position = offset
        var end: Int? = nil
        var decoded = 0
        var lowestPointerTarget = offset
        while true {
            guard position < bytes.count else { throw .truncated }
            let length = Int(bytes[position])
            if length & 0xC0 == 0xC0 {
                guard position + 1 < bytes.count else { throw .truncated }
                let target = (length & 0x3F) << 8 | Int(bytes[position + 1])
                guard target < lowestPointerTarget else { throw .malformed }
                lowestPointerTarget = target
                if end == nil { end = position + 2 }
                position = target
                continue
            }
            guard length & 0xC0 == 0 else { throw .malformed }
            decoded += length + 1
            guard decoded <= 255 else { throw .malformed }
            if let expected {
                let start = decoded - length - 1
                guard start + length < expected.count, Int(expected[start]) == length else { throw .malformed }
                for index in 0..<length {
                    guard position + 1 + index < bytes.count else { throw .truncated }
                    guard DNSPacket.lowercase(bytes[position + 1 + index]) == DNSPacket.lowercase(expected[start + 1 + index])
                    else { throw .malformed }
                }
            }
            if length == 0 { return end ?? position + 1 }
            position += 1 + length
        }
    }

    static func lowercase(_ byte: UInt8) -> UInt8 { byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte }

    /// Writes a recursive query for the A record of `name` (encoded labels) at the start of
    /// `buffer`; returns its length.
    static func emitQuery(into buffer: UnsafeMutableRawBufferPointer, identifier: UInt16,
                          name: UnsafeRawBufferPointer) -> Int {
        buffer.setUInt16(identifier, at: Field.identifier)
        buffer.setUInt16(0x0100, at: Field.flags)  // RD: recursion desired.
        buffer.setUInt16(1, at: Field.questionCount)
        buffer.setUInt16(0, at: Field.answerCount)
        buffer.setUInt32(0, at: 8)
        buffer.copy(name, at: Field.body)
        let end = Field.body + name.count
        buffer.setUInt16(1, at: end)  // QTYPE A
        buffer.setUInt16(1, at: end + 2)  // QCLASS IN
        return end + 4
    }

    static func queryLength(nameLength: Int) -> Int { Field.body + nameLength + 4 }
}

/// What a response says about the name asked for.
public enum DNSAnswer: Equatable {
    case address(IPv4Address)
    case nameNotFound
    case serverFailure
    /// Truncated (TC) with no A record in what arrived; TCP fallback is not implemented.
    case truncated
}

extension DNSAnswer {
    /// Parses a response to the query for `name` (encoded labels): the question must echo
    /// it, and the first A/IN record among the answers gives the address.
    public init(parsing packet: DNSPacket, name: UnsafeRawBufferPointer) throws(WireError) {
        try packet.checkLength()
        guard packet.isResponse, packet.questionCount == 1 else { throw .malformed }
        var offset = try packet.walkName(at: DNSPacket.headerLength, expected: name)
        guard offset + 4 <= packet.bytes.count else { throw .truncated }
        guard packet.bytes.uint16(at: offset) == 1, packet.bytes.uint16(at: offset + 2) == 1 else { throw .malformed }
        offset += 4
        switch packet.responseCode {
        case 0: break
        case 3: self = .nameNotFound; return
        default: self = .serverFailure; return
        }
        for _ in 0..<packet.answerCount {
            offset = try packet.walkName(at: offset)
            guard offset + 10 <= packet.bytes.count else { throw .truncated }
            let type = packet.bytes.uint16(at: offset)
            let recordClass = packet.bytes.uint16(at: offset + 2)
            let length = Int(packet.bytes.uint16(at: offset + 8))
            offset += 10
            guard offset + length <= packet.bytes.count else { throw .truncated }
            if type == 1 && recordClass == 1 {
                guard length == 4 else { throw .malformed }
                self = .address(IPv4Address(bytes: packet.bytes, at: offset))
                return
            }
            offset += length
        }
        self = packet.isTruncated ? .truncated : .nameNotFound
    }
}

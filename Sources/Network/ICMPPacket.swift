/// ICMP messages (RFC 792): a checked view and the header value for echo and unreachable.

/// A non-owning view of an ICMP message.
public struct ICMPPacket {
    public let bytes: UnsafeRawBufferPointer

    private enum Field {
        static let type = 0
        static let code = 1
        static let checksum = 2
        static let restOfHeader = 4
        static let data = 8
    }

    public static let headerLength = Field.data

    public init(unchecked bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    /// Makes every accessor safe: the 8-byte header is present.
    public func checkLength() throws(WireError) {
        if bytes.count < Field.data { throw .truncated }
    }

    public var type: UInt8 { bytes[Field.type] }
    public var code: UInt8 { bytes[Field.code] }
    public var checksum: UInt16 { bytes.uint16(at: Field.checksum) }
    public var restOfHeader: UInt32 { bytes.uint32(at: Field.restOfHeader) }
    public var data: UnsafeRawBufferPointer { bytes.slice(Field.data..<bytes.count) }
    public var checksumIsValid: Bool { InternetChecksum.of(bytes) == 0 }

    static func emit(_ header: ICMPHeader, into buffer: UnsafeMutableRawBufferPointer) {
        buffer[Field.type] = header.type
        buffer[Field.code] = header.code
        buffer.setUInt16(0, at: Field.checksum)
        buffer.setUInt32(header.restOfHeader, at: Field.restOfHeader)
        buffer.setUInt16(InternetChecksum.of(UnsafeRawBufferPointer(buffer)), at: Field.checksum)
    }
}

/// An ICMP header: type, code and the type-specific word (echo: identifier and sequence).
public struct ICMPHeader: Equatable {
    public static let echoReply: UInt8 = 0
    public static let destinationUnreachable: UInt8 = 3
    public static let echoRequest: UInt8 = 8
    /// Destination-unreachable code 3 (RFC 792 page 4).
    public static let portUnreachable: UInt8 = 3

    public var type: UInt8
    public var code: UInt8
    public var restOfHeader: UInt32

    public init(type: UInt8, code: UInt8, restOfHeader: UInt32) {
        self.type = type
        self.code = code
        self.restOfHeader = restOfHeader
    }

    /// Parses the header and verifies the checksum over the whole message.
    public init(parsing packet: ICMPPacket) throws(WireError) {
        try packet.checkLength()
        guard packet.checksumIsValid else { throw .badChecksum }
        self.init(type: packet.type, code: packet.code, restOfHeader: packet.restOfHeader)
    }

    public var bufferLength: Int { ICMPPacket.headerLength }

    /// Writes the header into `buffer`, which holds the header and the data already written
    /// after it, and computes the checksum over both.
    public func emit(into buffer: UnsafeMutableRawBufferPointer) { ICMPPacket.emit(self, into: buffer) }
}

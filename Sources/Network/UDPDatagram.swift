/// UDP datagrams (RFC 768): a checked view and the header value.

/// A non-owning view of a UDP datagram.
public struct UDPDatagram {
    public let bytes: UnsafeRawBufferPointer

    private enum Field {
        static let sourcePort = 0
        static let destinationPort = 2
        static let length = 4
        static let checksum = 6
        static let payload = 8
    }

    public static let headerLength = Field.payload

    public init(unchecked bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    /// Makes every accessor safe: 8 <= length field <= buffer.
    public func checkLength() throws(WireError) {
        if bytes.count < Field.payload { throw .truncated }
        if Int(length) < Field.payload { throw .malformed }
        if Int(length) > bytes.count { throw .truncated }
    }

    public var sourcePort: UInt16 { bytes.uint16(at: Field.sourcePort) }
    public var destinationPort: UInt16 { bytes.uint16(at: Field.destinationPort) }
    public var length: UInt16 { bytes.uint16(at: Field.length) }
    public var checksum: UInt16 { bytes.uint16(at: Field.checksum) }
    public var payload: UnsafeRawBufferPointer { bytes.slice(Field.payload..<Int(length)) }

    /// Whether the checksum verifies; zero means the sender computed none (RFC 768).
    public func checksumIsValid(source: IPv4Address, destination: IPv4Address) -> Bool {
        if checksum == 0 { return true }
        var sum = InternetChecksum.pseudoHeader(source: source, destination: destination,
                                                protocolNumber: IPProtocol.udp, length: Int(length))
        sum.add(bytes.slice(0..<Int(length)))
        return sum.value == 0
    }

    static func emit(_ header: UDPHeader, into buffer: UnsafeMutableRawBufferPointer,
                     source: IPv4Address, destination: IPv4Address) {
        let length = Field.payload + header.payloadLength
        buffer.setUInt16(header.sourcePort, at: Field.sourcePort)
        buffer.setUInt16(header.destinationPort, at: Field.destinationPort)
        buffer.setUInt16(UInt16(truncatingIfNeeded: length), at: Field.length)
        buffer.setUInt16(0, at: Field.checksum)
        var sum = InternetChecksum.pseudoHeader(source: source, destination: destination,
                                                protocolNumber: IPProtocol.udp, length: length)
        sum.add(UnsafeRawBufferPointer(buffer.slice(0..<length)))
        let value = sum.value
        // RFC 768: a computed zero is sent as all ones, since zero means "no checksum".
        buffer.setUInt16(value == 0 ? 0xFFFF : value, at: Field.checksum)
    }
}

/// A parsed UDP header.
public struct UDPHeader: Equatable {
    public var sourcePort: UInt16
    public var destinationPort: UInt16
    public var payloadLength: Int

    public init(sourcePort: UInt16, destinationPort: UInt16, payloadLength: Int) {
        self.sourcePort = sourcePort
        self.destinationPort = destinationPort
        self.payloadLength = payloadLength
    }

    /// Parses and verifies the checksum against the IPv4 pseudo-header.
    public init(parsing datagram: UDPDatagram, source: IPv4Address, destination: IPv4Address) throws(WireError) {
        try datagram.checkLength()
        guard datagram.checksumIsValid(source: source, destination: destination) else { throw .badChecksum }
        self.init(sourcePort: datagram.sourcePort, destinationPort: datagram.destinationPort,
                  payloadLength: Int(datagram.length) - UDPDatagram.headerLength)
    }

    public var bufferLength: Int { UDPDatagram.headerLength }

    /// Writes the header into `buffer`, which holds the header and the payload already written
    /// after it, and computes the checksum over both.
    public func emit(into buffer: UnsafeMutableRawBufferPointer, source: IPv4Address, destination: IPv4Address) {
        UDPDatagram.emit(self, into: buffer, source: source, destination: destination)
    }
}

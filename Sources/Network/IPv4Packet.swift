/// IPv4 packets (RFC 791 3.1): a checked view and the header value.

/// IP protocol numbers this stack handles.
public enum IPProtocol {
    public static let icmp: UInt8 = 1
    public static let tcp: UInt8 = 6
    public static let udp: UInt8 = 17
}

/// A non-owning view of an IPv4 packet.
public struct IPv4Packet {
    public let bytes: UnsafeRawBufferPointer

    private enum Field {
        static let versionAndHeaderLength = 0
        static let totalLength = 2
        static let identification = 4
        static let flagsAndFragmentOffset = 6
        static let timeToLive = 8
        static let protocolNumber = 9
        static let checksum = 10
        static let source = 12
        static let destination = 16
        static let options = 20
    }

    public static let minimumHeaderLength = Field.options

    public init(unchecked bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    public init(checking bytes: UnsafeRawBufferPointer) throws(WireError) {
        self.init(unchecked: bytes)
        try checkLength()
    }

    /// Makes every accessor safe: version 4, 20 <= header length <= total length <= buffer.
    /// Bytes past the total length (Ethernet padding) are ignored.
    public func checkLength() throws(WireError) {
        if bytes.count < Field.options { throw .truncated }
        if version != 4 { throw .unsupported }
        if headerLength < Field.options { throw .malformed }
        if Int(totalLength) < headerLength { throw .malformed }
        if Int(totalLength) > bytes.count { throw .truncated }
    }

    public var version: UInt8 { bytes[Field.versionAndHeaderLength] >> 4 }
    public var headerLength: Int { Int(bytes[Field.versionAndHeaderLength] & 0x0F) * 4 }
    public var totalLength: UInt16 { bytes.uint16(at: Field.totalLength) }
    public var identification: UInt16 { bytes.uint16(at: Field.identification) }
    public var dontFragment: Bool { bytes[Field.flagsAndFragmentOffset] & 0x40 != 0 }
    public var moreFragments: Bool { bytes[Field.flagsAndFragmentOffset] & 0x20 != 0 }
    /// The fragment's offset in bytes (the field counts 8-byte units).
    public var fragmentOffset: Int { Int(bytes.uint16(at: Field.flagsAndFragmentOffset) & 0x1FFF) * 8 }
    public var timeToLive: UInt8 { bytes[Field.timeToLive] }
    public var protocolNumber: UInt8 { bytes[Field.protocolNumber] }
    public var checksum: UInt16 { bytes.uint16(at: Field.checksum) }
    public var source: IPv4Address { IPv4Address(bytes: bytes, at: Field.source) }
    public var destination: IPv4Address { IPv4Address(bytes: bytes, at: Field.destination) }
    public var header: UnsafeRawBufferPointer { bytes.slice(0..<headerLength) }
    public var payload: UnsafeRawBufferPointer { bytes.slice(headerLength..<Int(totalLength)) }
    /// Whether the header checksum verifies (RFC 791 3.1 "Header Checksum").
    public var checksumIsValid: Bool { InternetChecksum.of(header) == 0 }

    static func emit(_ header: IPv4Header, into buffer: UnsafeMutableRawBufferPointer) {
        buffer[Field.versionAndHeaderLength] = 0x45
        buffer[1] = 0
        buffer.setUInt16(UInt16(truncatingIfNeeded: Field.options + header.payloadLength), at: Field.totalLength)
        buffer.setUInt16(header.identification, at: Field.identification)
        var flags = UInt16(truncatingIfNeeded: header.fragmentOffset / 8)
        if header.dontFragment { flags |= 0x4000 }
        if header.moreFragments { flags |= 0x2000 }
        buffer.setUInt16(flags, at: Field.flagsAndFragmentOffset)
        buffer[Field.timeToLive] = header.timeToLive
        buffer[Field.protocolNumber] = header.protocolNumber
        buffer.setUInt16(0, at: Field.checksum)
        header.source.write(to: buffer, at: Field.source)
        header.destination.write(to: buffer, at: Field.destination)
        let checksum = InternetChecksum.of(UnsafeRawBufferPointer(buffer.slice(0..<Field.options)))
        buffer.setUInt16(checksum, at: Field.checksum)
    }
}

/// A parsed IPv4 header. Options are validated for length and skipped.
public struct IPv4Header: Equatable {
    public var source: IPv4Address
    public var destination: IPv4Address
    public var protocolNumber: UInt8
    public var payloadLength: Int
    public var timeToLive: UInt8
    public var identification: UInt16
    public var dontFragment: Bool
    public var moreFragments: Bool
    public var fragmentOffset: Int

    public init(source: IPv4Address, destination: IPv4Address, protocolNumber: UInt8, payloadLength: Int,
                timeToLive: UInt8 = 64, identification: UInt16 = 0, dontFragment: Bool = true,
                moreFragments: Bool = false, fragmentOffset: Int = 0) {
        self.source = source
        self.destination = destination
        self.protocolNumber = protocolNumber
        self.payloadLength = payloadLength
        self.timeToLive = timeToLive
        self.identification = identification
        self.dontFragment = dontFragment
        self.moreFragments = moreFragments
        self.fragmentOffset = fragmentOffset
    }

    /// Parses and verifies the header checksum.
    public init(parsing packet: IPv4Packet) throws(WireError) {
        try packet.checkLength()
        guard packet.checksumIsValid else { throw .badChecksum }
        self.init(source: packet.source, destination: packet.destination, protocolNumber: packet.protocolNumber,
                  payloadLength: Int(packet.totalLength) - packet.headerLength, timeToLive: packet.timeToLive,
                  identification: packet.identification, dontFragment: packet.dontFragment,
                  moreFragments: packet.moreFragments, fragmentOffset: packet.fragmentOffset)
    }

    /// Whether this packet is one fragment of a larger datagram (RFC 791 3.2 "Fragmentation").
    public var isFragment: Bool { moreFragments || fragmentOffset != 0 }

    /// The emitted header is always 20 bytes: this stack sends no options.
    public var bufferLength: Int { IPv4Packet.minimumHeaderLength }

    /// Writes the header, checksum included, into the start of `buffer`.
    public func emit(into buffer: UnsafeMutableRawBufferPointer) { IPv4Packet.emit(self, into: buffer) }
}

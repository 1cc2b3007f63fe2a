/// TCP segments (RFC 9293 3.1): a checked view, flags and the header value with its options.

/// The control bits (RFC 9293 3.1); CWR and ECE are parsed but unused.
public struct TCPFlags: OptionSet, Equatable, Sendable {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let fin = TCPFlags(rawValue: 0x01)
    public static let syn = TCPFlags(rawValue: 0x02)
    public static let rst = TCPFlags(rawValue: 0x04)
    public static let psh = TCPFlags(rawValue: 0x08)
    public static let ack = TCPFlags(rawValue: 0x10)
    public static let urg = TCPFlags(rawValue: 0x20)
}

/// A non-owning view of a TCP segment.
public struct TCPSegment {
    public let bytes: UnsafeRawBufferPointer

    private enum Field {
        static let sourcePort = 0
        static let destinationPort = 2
        static let sequenceNumber = 4
        static let acknowledgmentNumber = 8
        static let dataOffset = 12
        static let flags = 13
        static let window = 14
        static let checksum = 16
        static let urgentPointer = 18
        static let options = 20
    }

    public static let minimumHeaderLength = Field.options

    public init(unchecked bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    /// Makes every accessor safe: 20 <= data offset <= buffer.
    public func checkLength() throws(WireError) {
        if bytes.count < Field.options { throw .truncated }
        if headerLength < Field.options { throw .malformed }
        if headerLength > bytes.count { throw .truncated }
    }

    public var sourcePort: UInt16 { bytes.uint16(at: Field.sourcePort) }
    public var destinationPort: UInt16 { bytes.uint16(at: Field.destinationPort) }
    public var sequenceNumber: SequenceNumber { SequenceNumber(bytes.uint32(at: Field.sequenceNumber)) }
    public var acknowledgmentNumber: SequenceNumber { SequenceNumber(bytes.uint32(at: Field.acknowledgmentNumber)) }
    public var headerLength: Int { Int(bytes[Field.dataOffset] >> 4) * 4 }
    public var flags: TCPFlags { TCPFlags(rawValue: bytes[Field.flags] & 0x3F) }
    public var window: UInt16 { bytes.uint16(at: Field.window) }
    public var checksum: UInt16 { bytes.uint16(at: Field.checksum) }
    public var urgentPointer: UInt16 { bytes.uint16(at: Field.urgentPointer) }
    public var options: UnsafeRawBufferPointer { bytes.slice(Field.options..<headerLength) }
    public var payload: UnsafeRawBufferPointer { bytes.slice(headerLength..<bytes.count) }

    public func checksumIsValid(source: IPv4Address, destination: IPv4Address) -> Bool {
        var sum = InternetChecksum.pseudoHeader(source: source, destination: destination,
                                                protocolNumber: IPProtocol.tcp, length: bytes.count)
        sum.add(bytes)
        return sum.value == 0
    }
}

/// A parsed TCP header with the options this stack uses: MSS (RFC 9293 3.7.1) and window
/// scale (RFC 7323 2). Other options are skipped after their length is checked.
public struct TCPHeader: Equatable {
    public var sourcePort: UInt16
    public var destinationPort: UInt16
    public var sequenceNumber: SequenceNumber
    public var acknowledgmentNumber: SequenceNumber
    public var flags: TCPFlags
    public var window: UInt16
    public var maximumSegmentSize: UInt16?
    public var windowScale: UInt8?

    public init(sourcePort: UInt16, destinationPort: UInt16, sequenceNumber: SequenceNumber,
                acknowledgmentNumber: SequenceNumber, flags: TCPFlags, window: UInt16,
                maximumSegmentSize: UInt16? = nil, windowScale: UInt8? = nil) {
        self.sourcePort = sourcePort
        self.destinationPort = destinationPort
        self.sequenceNumber = sequenceNumber
        self.acknowledgmentNumber = acknowledgmentNumber
        self.flags = flags
        self.window = window
        self.maximumSegmentSize = maximumSegmentSize
        self.windowScale = windowScale
    }

    /// Parses the header and options and verifies the checksum against the pseudo-header.
    public init(parsing segment: TCPSegment, source: IPv4Address, destination: IPv4Address) throws(WireError) {
        try segment.checkLength()
        guard segment.checksumIsValid(source: source, destination: destination) else { throw .badChecksum }
        self.init(sourcePort: segment.sourcePort, destinationPort: segment.destinationPort,
                  sequenceNumber: segment.sequenceNumber, acknowledgmentNumber: segment.acknowledgmentNumber,
                  flags: segment.flags, window: segment.window)
        let options = segment.options
        var index = 0
        while index < options.count {
            let kind = options[index]
            if kind == 0 { break }  // End of option list.
            if kind == 1 { index += 1; continue }  // No-operation.
            guard index + 1 < options.count else { throw .malformed }
            let length = Int(options[index + 1])
            guard length >= 2, index + length <= options.count else { throw .malformed }
            switch kind {
            case 2:
                guard length == 4 else { throw .malformed }
                maximumSegmentSize = options.uint16(at: index + 2)
            case 3:
                guard length == 3 else { throw .malformed }
                // RFC 7323 2.3: a shift above 14 is used as 14.
                windowScale = min(options[index + 2], 14)
            default:
                break
            }
            index += length
        }
    }

    /// 20 bytes plus MSS (4) and NOP + window scale (4) when present.
    public var bufferLength: Int {
        TCPSegment.minimumHeaderLength + (maximumSegmentSize != nil ? 4 : 0) + (windowScale != nil ? 4 : 0)
    }

    /// Writes the header into `buffer`, which holds the header and the payload already written
    /// after it, and computes the checksum over both.
    public func emit(into buffer: UnsafeMutableRawBufferPointer, source: IPv4Address, destination: IPv4Address) {
        let length = bufferLength
        buffer.setUInt16(sourcePort, at: 0)
        buffer.setUInt16(destinationPort, at: 2)
        buffer.setUInt32(sequenceNumber.rawValue, at: 4)
        buffer.setUInt32(acknowledgmentNumber.rawValue, at: 8)
        buffer[12] = UInt8(length / 4) << 4
        buffer[13] = flags.rawValue
        buffer.setUInt16(window, at: 14)
        buffer.setUInt16(0, at: 16)
        buffer.setUInt16(0, at: 18)
        var index = 20
        if let mss = maximumSegmentSize {
            buffer[index] = 2
            buffer[index + 1] = 4
            buffer.setUInt16(mss, at: index + 2)
            index += 4
        }
        if let scale = windowScale {
            buffer[index] = 1
            buffer[index + 1] = 3
            buffer[index + 2] = 3
            buffer[index + 3] = scale
        }
        var sum = InternetChecksum.pseudoHeader(source: source, destination: destination,
                                                protocolNumber: IPProtocol.tcp, length: buffer.count)
        sum.add(UnsafeRawBufferPointer(buffer))
        buffer.setUInt16(sum.value, at: 16)
    }
}

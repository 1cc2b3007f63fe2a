/// Ethernet II frames (IEEE 802.3 clause 3.2.6 type field): a checked view and its header.

import Capabilities

/// EtherType values this stack handles.
public enum EtherType {
    public static let ipv4: UInt16 = 0x0800
    public static let arp: UInt16 = 0x0806
}

/// A non-owning view of an Ethernet II frame (no FCS).
public struct EthernetFrame {
    public let bytes: UnsafeRawBufferPointer

    private enum Field {
        static let destination = 0
        static let source = 6
        static let etherType = 12
        static let payload = 14
    }

    public static let headerLength = Field.payload

    /// Wraps `bytes` without checking; call `checkLength()` before any accessor.
    public init(unchecked bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    public init(checking bytes: UnsafeRawBufferPointer) throws(WireError) {
        self.init(unchecked: bytes)
        try checkLength()
    }

    /// Makes every accessor safe: the frame holds a whole header.
    public func checkLength() throws(WireError) {
        if bytes.count < Field.payload { throw .truncated }
    }

    public var destination: MACAddress { MACAddress(bytes: bytes, at: Field.destination) }
    public var source: MACAddress { MACAddress(bytes: bytes, at: Field.source) }
    public var etherType: UInt16 { bytes.uint16(at: Field.etherType) }
    public var payload: UnsafeRawBufferPointer { bytes.slice(Field.payload..<bytes.count) }

    /// Writes a header into the first 14 bytes of `frame`.
    static func emitHeader(into frame: UnsafeMutableRawBufferPointer, destination: MACAddress,
                           source: MACAddress, etherType: UInt16) {
        destination.write(to: frame, at: Field.destination)
        source.write(to: frame, at: Field.source)
        frame.setUInt16(etherType, at: Field.etherType)
    }
}

/// The parsed Ethernet II header.
public struct EthernetHeader: Equatable {
    public var destination: MACAddress
    public var source: MACAddress
    public var etherType: UInt16

    public init(destination: MACAddress, source: MACAddress, etherType: UInt16) {
        self.destination = destination
        self.source = source
        self.etherType = etherType
    }

    public init(parsing frame: EthernetFrame) throws(WireError) {
        try frame.checkLength()
        self.init(destination: frame.destination, source: frame.source, etherType: frame.etherType)
    }

    public var bufferLength: Int { EthernetFrame.headerLength }

    /// Writes the header into the start of `buffer`, which holds at least `bufferLength` bytes.
    public func emit(into buffer: UnsafeMutableRawBufferPointer) {
        EthernetFrame.emitHeader(into: buffer, destination: destination, source: source, etherType: etherType)
    }
}

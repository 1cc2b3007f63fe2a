/// ARP packets for IPv4 over Ethernet (RFC 826): a checked view and the message value.

import Capabilities

/// A non-owning view of an ARP packet.
public struct ARPPacket {
    public let bytes: UnsafeRawBufferPointer

    private enum Field {
        static let hardwareType = 0
        static let protocolType = 2
        static let hardwareLength = 4
        static let protocolLength = 5
        static let operation = 6
        static let senderHardware = 8
        static let senderProtocol = 14
        static let targetHardware = 18
        static let targetProtocol = 24
        static let end = 28
    }

    public static let length = Field.end

    public init(unchecked bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    /// Makes every accessor safe: the packet holds the 28 bytes of an Ethernet/IPv4 ARP packet.
    public func checkLength() throws(WireError) {
        if bytes.count < Field.end { throw .truncated }
    }

    public var hardwareType: UInt16 { bytes.uint16(at: Field.hardwareType) }
    public var protocolType: UInt16 { bytes.uint16(at: Field.protocolType) }
    public var hardwareLength: UInt8 { bytes[Field.hardwareLength] }
    public var protocolLength: UInt8 { bytes[Field.protocolLength] }
    public var operation: UInt16 { bytes.uint16(at: Field.operation) }
    public var senderHardware: MACAddress { MACAddress(bytes: bytes, at: Field.senderHardware) }
    public var senderProtocol: IPv4Address { IPv4Address(bytes: bytes, at: Field.senderProtocol) }
    public var targetHardware: MACAddress { MACAddress(bytes: bytes, at: Field.targetHardware) }
    public var targetProtocol: IPv4Address { IPv4Address(bytes: bytes, at: Field.targetProtocol) }

    static func emit(_ message: ARPMessage, into buffer: UnsafeMutableRawBufferPointer) {
        buffer.setUInt16(1, at: Field.hardwareType)
        buffer.setUInt16(EtherType.ipv4, at: Field.protocolType)
        buffer[Field.hardwareLength] = 6
        buffer[Field.protocolLength] = 4
        buffer.setUInt16(message.operation.rawValue, at: Field.operation)
        message.senderHardware.write(to: buffer, at: Field.senderHardware)
        message.senderProtocol.write(to: buffer, at: Field.senderProtocol)
        message.targetHardware.write(to: buffer, at: Field.targetHardware)
        message.targetProtocol.write(to: buffer, at: Field.targetProtocol)
    }
}

public enum ARPOperation: UInt16, Equatable {
    case request = 1
    case reply = 2
}

/// A parsed Ethernet/IPv4 ARP request or reply.
public struct ARPMessage: Equatable {
    public var operation: ARPOperation
    public var senderHardware: MACAddress
    public var senderProtocol: IPv4Address
    public var targetHardware: MACAddress
    public var targetProtocol: IPv4Address

    public init(operation: ARPOperation, senderHardware: MACAddress, senderProtocol: IPv4Address,
                targetHardware: MACAddress, targetProtocol: IPv4Address) {
        self.operation = operation
        self.senderHardware = senderHardware
        self.senderProtocol = senderProtocol
        self.targetHardware = targetHardware
        self.targetProtocol = targetProtocol
    }

    /// Parses an Ethernet (hardware type 1) / IPv4 packet; other kinds are `.unsupported`.
    public init(parsing packet: ARPPacket) throws(WireError) {
        try packet.checkLength()
        guard packet.hardwareType == 1, packet.protocolType == EtherType.ipv4,
              packet.hardwareLength == 6, packet.protocolLength == 4 else { throw .unsupported }
        guard let operation = ARPOperation(rawValue: packet.operation) else { throw .unsupported }
        self.init(operation: operation, senderHardware: packet.senderHardware, senderProtocol: packet.senderProtocol,
                  targetHardware: packet.targetHardware, targetProtocol: packet.targetProtocol)
    }

    public var bufferLength: Int { ARPPacket.length }

    public func emit(into buffer: UnsafeMutableRawBufferPointer) { ARPPacket.emit(self, into: buffer) }
}

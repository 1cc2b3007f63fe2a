/// DHCP messages (RFC 2131 2, options from RFC 2132): a checked view, the parsed reply, and
/// the client's DISCOVER and REQUEST.

import Capabilities

/// DHCP message types (RFC 2132 9.6).
public enum DHCPMessageType: UInt8, Equatable, Sendable {
    case discover = 1, offer, request, decline, acknowledge, negativeAcknowledge, release, inform
}

/// A non-owning view of a DHCP (BOOTP) message.
public struct DHCPPacket {
    public let bytes: UnsafeRawBufferPointer

    private enum Field {
        static let operation = 0
        static let hardwareType = 1
        static let hardwareLength = 2
        static let transactionID = 4
        static let flags = 10
        static let clientAddress = 12
        static let yourAddress = 16
        static let serverAddress = 20
        static let clientHardware = 28
        static let magicCookie = 236
        static let options = 240
    }

    static let magicCookie: UInt32 = 0x6382_5363
    static let optionsOffset = Field.options

    public init(unchecked bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    /// Makes every accessor safe: the fixed part and the magic cookie are present.
    public func checkLength() throws(WireError) {
        if bytes.count < Field.options { throw .truncated }
        if bytes.uint32(at: Field.magicCookie) != DHCPPacket.magicCookie { throw .unsupported }
    }

    public var operation: UInt8 { bytes[Field.operation] }
    public var transactionID: UInt32 { bytes.uint32(at: Field.transactionID) }
    public var yourAddress: IPv4Address { IPv4Address(bytes: bytes, at: Field.yourAddress) }
    public var clientHardware: MACAddress { MACAddress(bytes: bytes, at: Field.clientHardware) }
    public var options: UnsafeRawBufferPointer { bytes.slice(Field.options..<bytes.count) }

    /// Writes a client message (BOOTREQUEST) of `DHCPPacket.requestLength` bytes.
    static func emitRequest(into buffer: UnsafeMutableRawBufferPointer, type: DHCPMessageType, transactionID: UInt32,
                            hardware: MACAddress, clientAddress: IPv4Address, requestedAddress: IPv4Address?,
                            serverIdentifier: IPv4Address?) {
        for index in 0..<buffer.count { buffer[index] = 0 }
        buffer[Field.operation] = 1
        buffer[Field.hardwareType] = 1
        buffer[Field.hardwareLength] = 6
        buffer.setUInt32(transactionID, at: Field.transactionID)
        clientAddress.write(to: buffer, at: Field.clientAddress)
        hardware.write(to: buffer, at: Field.clientHardware)
        buffer.setUInt32(DHCPPacket.magicCookie, at: Field.magicCookie)
        var index = Field.options
        buffer[index] = 53; buffer[index + 1] = 1; buffer[index + 2] = type.rawValue
        index += 3
        if let requestedAddress {
            buffer[index] = 50; buffer[index + 1] = 4
            requestedAddress.write(to: buffer, at: index + 2)
            index += 6
        }
        if let serverIdentifier {
            buffer[index] = 54; buffer[index + 1] = 4
            serverIdentifier.write(to: buffer, at: index + 2)
            index += 6
        }
        // Parameter request list: mask, router, DNS, lease, T1, T2.
        buffer[index] = 55; buffer[index + 1] = 6
        buffer[index + 2] = 1; buffer[index + 3] = 3; buffer[index + 4] = 6
        buffer[index + 5] = 51; buffer[index + 6] = 58; buffer[index + 7] = 59
        index += 8
        buffer[index] = 255
    }

    /// BOOTP's minimum of 300 bytes (RFC 1542 2.1), which some servers insist on.
    static let requestLength = 300
}

/// The parts of a server's reply the client uses.
public struct DHCPReply: Equatable {
    public var type: DHCPMessageType
    public var transactionID: UInt32
    public var clientHardware: MACAddress
    public var yourAddress: IPv4Address
    public var serverIdentifier: IPv4Address?
    public var subnetMask: IPv4Address?
    public var router: IPv4Address?
    public var dnsServer: IPv4Address?
    public var leaseSeconds: UInt32?
    public var renewalSeconds: UInt32?
    public var rebindingSeconds: UInt32?

    /// Parses a BOOTREPLY; option lengths are checked against their kind and the buffer.
    public init(parsing packet: DHCPPacket) throws(WireError) {
        try packet.checkLength()
        guard packet.operation == 2 else { throw .unsupported }
        transactionID = packet.transactionID
        clientHardware = packet.clientHardware
        yourAddress = packet.yourAddress
        var type: DHCPMessageType? = nil
        let options = packet.options
        var index = 0
        while index < options.count {
            let code = options[index]
            if code == 255 { break }
            if code == 0 { index += 1; continue }
            guard index + 1 < options.count else { throw .malformed }
            let length = Int(options[index + 1])
            let start = index + 2
            guard start + length <= options.count else { throw .malformed }
            func address() throws(WireError) -> IPv4Address {
                guard length >= 4 && length % 4 == 0 else { throw .malformed }
                return IPv4Address(bytes: options, at: start)
            }
            func seconds() throws(WireError) -> UInt32 {
                guard length == 4 else { throw .malformed }
                return options.uint32(at: start)
            }
            switch code {
            case 53:
                guard length == 1, let parsed = DHCPMessageType(rawValue: options[start]) else { throw .malformed }
                type = parsed
            case 1: subnetMask = try address()
            case 3: router = try address()
            case 6: dnsServer = try address()
            case 54: serverIdentifier = try address()
            case 51: leaseSeconds = try seconds()
            case 58: renewalSeconds = try seconds()
            case 59: rebindingSeconds = try seconds()
            default: break
            }
            index = start + length
        }
        guard let type else { throw .malformed }
        self.type = type
    }
}

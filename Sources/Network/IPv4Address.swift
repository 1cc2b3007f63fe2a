/// IPv4 addresses and endpoints, parsed from and written as dotted-quad bytes.

import Capabilities

/// An IPv4 address in host order (first octet highest).
public struct IPv4Address: Hashable, Comparable, Sendable {
    public var rawValue: UInt32

    @inline(__always)
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public init(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) {
        rawValue = UInt32(a) << 24 | UInt32(b) << 16 | UInt32(c) << 8 | UInt32(d)
    }

    public static func < (left: IPv4Address, right: IPv4Address) -> Bool { left.rawValue < right.rawValue }

    public static let any = IPv4Address(rawValue: 0)
    public static let broadcast = IPv4Address(rawValue: 0xFFFF_FFFF)

    public var isUnspecified: Bool { rawValue == 0 }
    public var isBroadcast: Bool { rawValue == 0xFFFF_FFFF }
    /// 224.0.0.0/4 (RFC 5771).
    public var isMulticast: Bool { rawValue >> 28 == 0xE }
    /// 127.0.0.0/8, never valid on the wire (RFC 1122 3.2.1.3).
    public var isLoopback: Bool { rawValue >> 24 == 127 }

    /// The netmask of a prefix length 0...32.
    public static func mask(prefixLength: Int) -> UInt32 {
        prefixLength <= 0 ? 0 : prefixLength >= 32 ? 0xFFFF_FFFF : ~(UInt32(0xFFFF_FFFF) >> UInt32(prefixLength))
    }

    /// Whether `other` is in this address's subnet of `prefixLength` bits.
    public func sharesSubnet(with other: IPv4Address, prefixLength: Int) -> Bool {
        let mask = IPv4Address.mask(prefixLength: prefixLength)
        return rawValue & mask == other.rawValue & mask
    }

    /// Reads four bytes at `offset`; the caller has checked the length.
    init(bytes: UnsafeRawBufferPointer, at offset: Int) { rawValue = bytes.uint32(at: offset) }

    func write(to bytes: UnsafeMutableRawBufferPointer, at offset: Int) { bytes.setUInt32(rawValue, at: offset) }

    /// Parses exactly a dotted quad ("10.0.2.15"), or returns nil.
    public init?(parsing text: UnsafeRawBufferPointer) {
        var value: UInt32 = 0
        var octet: UInt32 = 0
        var digits = 0
        var dots = 0
        for byte in text {
            if byte >= 0x30 && byte <= 0x39 {
                octet = octet * 10 + UInt32(byte - 0x30)
                digits += 1
                if digits > 3 || octet > 255 { return nil }
            } else if byte == 0x2E {
                if digits == 0 || dots == 3 { return nil }
                value = value << 8 | octet
                octet = 0
                digits = 0
                dots += 1
            } else {
                return nil
            }
        }
        if digits == 0 || dots != 3 { return nil }
        rawValue = value << 8 | octet
    }

    /// Writes the dotted quad to `output`.
    public func write<Output: Console>(to output: inout Output) {
        for index in 0..<4 {
            if index > 0 { output.write(StaticString(".")) }
            output.write(decimal: UInt64(rawValue >> UInt32(24 - 8 * index) & 0xFF))
        }
    }
}

/// An address and port.
public struct IPv4Endpoint: Hashable, Sendable {
    public var address: IPv4Address
    public var port: UInt16

    public init(address: IPv4Address, port: UInt16) {
        self.address = address
        self.port = port
    }
}

/// Run-time network settings parsed from command-line words: `ip=dhcp`,
/// `ip=ADDR/PREFIX[,GATEWAY]`, `dns=ADDR`, the same on every board.

/// How the interface gets its IPv4 address.
public enum AddressConfiguration: Equatable {
    /// RFC 2131 DHCP, the default.
    case dhcp
    /// A fixed address, prefix length and optional default gateway.
    case fixed(address: IPv4Address, prefixLength: Int, gateway: IPv4Address?)
}

/// Why a network word did not parse.
public enum ConfigurationError: Error, Equatable {
    /// `ip=` is neither `dhcp` nor `ADDR/PREFIX[,GATEWAY]`.
    case badAddress
    /// The prefix is not a number from 0 to 32.
    case badPrefixLength
    case badGateway
    /// `dns=` is not a dotted quad.
    case badDNSServer
    /// The gateway is not inside the configured subnet.
    case gatewayOutsideSubnet

    /// A line for the console saying which word is wrong.
    public var reason: StaticString {
        switch self {
        case .badAddress: return "ip= is neither dhcp nor ADDR/PREFIX[,GATEWAY]"
        case .badPrefixLength: return "ip=: the prefix length is not 0 to 32"
        case .badGateway: return "ip=: the gateway is not a dotted quad"
        case .badDNSServer: return "dns= is not a dotted quad"
        case .gatewayOutsideSubnet: return "ip=: the gateway is outside the subnet"
        }
    }
}

/// The network words of a command line. Other words (`tap=`, `rw`, app words) are ignored.
public struct NetworkConfiguration: Equatable {
    public var address: AddressConfiguration = .dhcp
    /// A DNS server given on the command line; it takes precedence over DHCP's.
    public var dnsServer: IPv4Address? = nil

    public init(address: AddressConfiguration = .dhcp, dnsServer: IPv4Address? = nil) {
        self.address = address
        self.dnsServer = dnsServer
    }

    /// Parses space-separated words (tabs, newlines and NULs also separate). A later word
    /// overrides an earlier one, as on a kernel command line.
    public init(parsingArguments text: UnsafeRawBufferPointer) throws(ConfigurationError) {
        self.init()
        var start = 0
        while start < text.count {
            var end = start
            while end < text.count && !NetworkConfiguration.isSeparator(text[end]) { end += 1 }
            if end > start { try apply(word: text.slice(start..<end)) }
            start = end + 1
        }
    }

    static func isSeparator(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0 }

    private mutating func apply(word: UnsafeRawBufferPointer) throws(ConfigurationError) {
        if let value = NetworkConfiguration.value(of: word, key: "ip=") {
            address = try NetworkConfiguration.parseAddress(value)
        } else if let value = NetworkConfiguration.value(of: word, key: "dns=") {
            guard let server = IPv4Address(parsing: value) else { throw .badDNSServer }
            dnsServer = server
        }
    }

    /// The bytes after `key` when `word` starts with it.
    static func value(of word: UnsafeRawBufferPointer, key: StaticString) -> UnsafeRawBufferPointer? {
        let length = key.utf8CodeUnitCount
        guard word.count >= length else { return nil }
        for index in 0..<length where word[index] != key.utf8Start[index] { return nil }
        return word.slice(length..<word.count)
    }

    static func parseAddress(_ value: UnsafeRawBufferPointer) throws(ConfigurationError) -> AddressConfiguration {
        if value.count == 4 && value[0] == 0x64 && value[1] == 0x68 && value[2] == 0x63 && value[3] == 0x70 {
            return .dhcp  // "dhcp"
        }
        guard let slash = value.firstIndex(of: 0x2F) else { throw .badAddress }
        guard let address = IPv4Address(parsing: value.slice(0..<slash)) else { throw .badAddress }
        let rest = value.slice(slash + 1..<value.count)
        let comma = rest.firstIndex(of: 0x2C) ?? rest.count
        let prefixBytes = rest.slice(0..<comma)
        guard prefixBytes.count >= 1 && prefixBytes.count <= 2 else { throw .badPrefixLength }
        var prefixLength = 0
        for byte in prefixBytes {
            guard byte >= 0x30 && byte <= 0x39 else { throw .badPrefixLength }
            prefixLength = prefixLength * 10 + Int(byte - 0x30)
        }
        guard prefixLength <= 32 else { throw .badPrefixLength }
        var gateway: IPv4Address? = nil
        if comma < rest.count {
            guard let parsed = IPv4Address(parsing: rest.slice(comma + 1..<rest.count)) else { throw .badGateway }
            guard parsed.sharesSubnet(with: address, prefixLength: prefixLength) else { throw .gatewayOutsideSubnet }
            gateway = parsed
        }
        return .fixed(address: address, prefixLength: prefixLength, gateway: gateway)
    }
}

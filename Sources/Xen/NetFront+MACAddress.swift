/// The `mac` key of a vif (docs/misc/xenstore-paths.pandoc: `device/vif/$DEVID/mac = MAC_ADDRESS`): six hex pairs joined by colons, parsed strictly.
import Capabilities

enum NetFrontMACAddress {
    /// `aa:bb:cc:dd:ee:ff` (either case) and nothing else but one trailing NUL, which some writers
    /// include; nil for any other length, separator or digit.
    static func parse(_ bytes: [UInt8]) -> MACAddress? {
        var count = bytes.count
        if count > 0 && bytes[count - 1] == 0 { count -= 1 }
        guard count == 17 else { return nil }
        var value: UInt64 = 0
        for pair in 0..<6 {
            let at = pair * 3
            if pair > 0 && bytes[at - 1] != 0x3a { return nil }  // ':'
            guard let high = hexDigit(bytes[at]), let low = hexDigit(bytes[at + 1]) else { return nil }
            value = value << 8 | UInt64(high << 4 | low)
        }
        return MACAddress(rawValue: value)
    }

    static func hexDigit(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: return byte - 0x30
        case 0x41...0x46: return byte - 0x41 + 10
        case 0x61...0x66: return byte - 0x61 + 10
        default: return nil
        }
    }
}

/// UTF-8 <-> UTF-16 conversion and the simple case folding that FAT name lookup uses.

enum UnicodeText {
    /// Decodes strict UTF-8 (no overlong forms, no surrogates, at most U+10FFFF) to UTF-16.
    static func utf16(fromUTF8 bytes: [UInt8]) -> [UInt16]? {
        var units: [UInt16] = []
        units.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let lead = bytes[index]
            var scalar: UInt32
            var length: Int
            var minimum: UInt32
            if lead < 0x80 {
                units.append(UInt16(lead))
                index += 1
                continue
            } else if lead & 0xE0 == 0xC0 {
                scalar = UInt32(lead & 0x1F); length = 2; minimum = 0x80
            } else if lead & 0xF0 == 0xE0 {
                scalar = UInt32(lead & 0x0F); length = 3; minimum = 0x800
            } else if lead & 0xF8 == 0xF0 {
                scalar = UInt32(lead & 0x07); length = 4; minimum = 0x10000
            } else {
                return nil
            }
            guard bytes.count - index >= length else { return nil }
            for offset in 1..<length {
                let continuation = bytes[index + offset]
                guard continuation & 0xC0 == 0x80 else { return nil }
                scalar = scalar << 6 | UInt32(continuation & 0x3F)
            }
            guard scalar >= minimum, scalar <= 0x10FFFF, !(0xD800...0xDFFF).contains(scalar) else { return nil }
            if scalar >= 0x10000 {
                let value = scalar - 0x10000
                units.append(UInt16(0xD800 + (value >> 10)))
                units.append(UInt16(0xDC00 + (value & 0x3FF)))
            } else {
                units.append(UInt16(scalar))
            }
            index += length
        }
        return units
    }

    /// Encodes UTF-16 as UTF-8; an unpaired surrogate becomes U+FFFD.
    static func utf8(fromUTF16 units: [UInt16]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(units.count)
        var index = 0
        while index < units.count {
            var scalar = UInt32(units[index])
            index += 1
            if (0xD800...0xDBFF).contains(scalar) {
                if index < units.count, (0xDC00...0xDFFF).contains(units[index]) {
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (UInt32(units[index]) - 0xDC00)
                    index += 1
                } else {
                    scalar = 0xFFFD
                }
            } else if (0xDC00...0xDFFF).contains(scalar) {
                scalar = 0xFFFD
            }
            appendUTF8(scalar, to: &bytes)
        }
        return bytes
    }

    static func appendUTF8(_ scalar: UInt32, to bytes: inout [UInt8]) {
        if scalar < 0x80 {
            bytes.append(UInt8(scalar))
        } else if scalar < 0x800 {
            bytes.append(UInt8(0xC0 | scalar >> 6))
            bytes.append(UInt8(0x80 | scalar & 0x3F))
        } else if scalar < 0x10000 {
            bytes.append(UInt8(0xE0 | scalar >> 12))
            bytes.append(UInt8(0x80 | (scalar >> 6) & 0x3F))
            bytes.append(UInt8(0x80 | scalar & 0x3F))
        } else {
            bytes.append(UInt8(0xF0 | scalar >> 18))
            bytes.append(UInt8(0x80 | (scalar >> 12) & 0x3F))
            bytes.append(UInt8(0x80 | (scalar >> 6) & 0x3F))
            bytes.append(UInt8(0x80 | scalar & 0x3F))
        }
    }

    /// Upper case for ASCII, Latin-1, Latin Extended-A, Greek and Cyrillic: enough for the
    /// case-insensitive lookup FAT promises, without Unicode tables.
    static func upper(_ unit: UInt16) -> UInt16 {
        switch unit {
        case 0x61...0x7A: return unit - 0x20
        case 0xE0...0xFE where unit != 0xF7: return unit - 0x20
        case 0xFF: return 0x178
        case 0x100...0x137, 0x14A...0x177: return unit & ~1
        case 0x139...0x148, 0x179...0x17E: return unit & 1 == 0 ? unit - 1 : unit
        case 0x3B1...0x3C9 where unit != 0x3C2: return unit - 0x20
        case 0x430...0x44F: return unit - 0x20
        case 0x450...0x45F: return unit - 0x50
        default: return unit
        }
    }

    static func equalIgnoringCase(_ left: [UInt16], _ right: [UInt16]) -> Bool {
        guard left.count == right.count else { return false }
        for index in 0..<left.count where upper(left[index]) != upper(right[index]) { return false }
        return true
    }
}

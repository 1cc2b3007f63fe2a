/// 8.3 short names: the exact form of a name, the basis-name algorithm with numeric tails, and
/// display (Microsoft FAT spec 6.1 and 7.4).

enum ShortName {
    static let space = UInt8(ascii: " ")
    static let period: UInt16 = 0x2E

    /// Whether `byte` (upper case) may appear in a short name we write (spec 6.1).
    static func isShortCharacter(_ byte: UInt16) -> Bool {
        switch byte {
        case 0x30...0x39, 0x41...0x5A: return true
        case 0x21, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2D, 0x40, 0x5E, 0x5F, 0x60, 0x7B, 0x7D, 0x7E:
            return true
        default: return false
        }
    }

    /// The 11-byte form of `units` if it is an 8.3 name apart from case: 1 to 8 characters, then
    /// optionally a period and 1 to 3 characters.
    static func exact(_ units: [UInt16]) -> [UInt8]? {
        var name = [UInt8](repeating: space, count: 11)
        var position = 0
        var inExtension = false
        var partLength = 0
        for unit in units {
            if unit == period {
                if inExtension || partLength == 0 { return nil }
                inExtension = true
                position = 8
                partLength = 0
                continue
            }
            let upper = UnicodeText.upper(unit)
            guard isShortCharacter(upper) else { return nil }
            partLength += 1
            if partLength > (inExtension ? 3 : 8) { return nil }
            name[position] = UInt8(upper)
            position += 1
        }
        if partLength == 0 { return nil }
        return name
    }

    /// Whether `units` needs long-name entries: it is not 8.3, or not all upper case.
    static func needsLongName(_ units: [UInt16]) -> Bool {
        if exact(units) == nil { return true }
        for unit in units where UnicodeText.upper(unit) != unit { return true }
        return false
    }

    /// The basis name of spec 7.4 and whether producing it lost information (then a numeric
    /// tail is required): upper case, spaces and leading periods stripped, characters a short
    /// name cannot hold as `_`, the base cut to 8 and the extension (after the last period) to 3.
    static func basis(_ units: [UInt16]) -> (name: [UInt8], lossy: Bool) {
        var lossy = false
        var stripped: [UInt16] = []
        for unit in units {
            if unit == 0x20 || (unit == period && stripped.isEmpty) {
                lossy = true
                continue
            }
            stripped.append(unit)
        }
        var lastPeriod: Int? = nil
        for index in 0..<stripped.count where stripped[index] == period { lastPeriod = index }
        var base: [UInt8] = []
        var extensionPart: [UInt8] = []
        for index in 0..<stripped.count {
            let unit = stripped[index]
            if index == lastPeriod { continue }
            let isExtension = lastPeriod.map { index > $0 } ?? false
            var byte: UInt8
            if unit == period {
                lossy = true   // an embedded period of the base is dropped
                continue
            }
            let upper = UnicodeText.upper(unit)
            if isShortCharacter(upper) {
                byte = UInt8(upper)
            } else {
                byte = UInt8(ascii: "_")
                lossy = true
            }
            if isExtension {
                if extensionPart.count < 3 { extensionPart.append(byte) } else { lossy = true }
            } else {
                if base.count < 8 { base.append(byte) } else { lossy = true }
            }
        }
        if base.isEmpty {
            base = [UInt8(ascii: "_")]
            lossy = true
        }
        var name = [UInt8](repeating: space, count: 11)
        for index in 0..<base.count { name[index] = base[index] }
        for index in 0..<extensionPart.count { name[8 + index] = extensionPart[index] }
        return (name, lossy)
    }

    /// `basis` with the tail `~number` (1 ... 999999), the base cut so base and tail fit in 8.
    static func withTail(_ basis: [UInt8], number: Int) -> [UInt8] {
        var digits: [UInt8] = []
        var value = number
        repeat {
            digits.insert(UInt8(ascii: "0") + UInt8(value % 10), at: 0)
            value /= 10
        } while value > 0
        var baseLength = 0
        while baseLength < 8, basis[baseLength] != space { baseLength += 1 }
        let keep = Swift.min(baseLength, 8 - 1 - digits.count)
        var name = basis
        for index in 0..<8 { name[index] = space }
        for index in 0..<keep { name[index] = basis[index] }
        name[keep] = UInt8(ascii: "~")
        for index in 0..<digits.count { name[keep + 1 + index] = digits[index] }
        return name
    }

    /// The name to show for a short entry: base, then `.` and extension if any, lower-cased
    /// where the NT flags of byte 12 say so (0x08 base, 0x10 extension). Bytes above 0x7F are
    /// read as code page 850.
    static func display(_ entry: [UInt8], at base: Int) -> [UInt16] {
        let flags = entry[base + 12]
        var units: [UInt16] = []
        func append(_ range: Range<Int>, lower: Bool) {
            var end = range.upperBound
            while end > range.lowerBound, entry[base + end - 1] == space { end -= 1 }
            for index in range.lowerBound..<end {
                var byte = entry[base + index]
                if index == 0, byte == 0x05 { byte = 0xE5 }   // spec 6.1: 0x05 stands for 0xE5
                units.append(CodePage850.unit(byte, lower: lower))
            }
        }
        append(0..<8, lower: flags & 0x08 != 0)
        var hasExtension = false
        for index in 8..<11 where entry[base + index] != space { hasExtension = true }
        if hasExtension {
            units.append(period)
            append(8..<11, lower: flags & 0x10 != 0)
        }
        return units
    }
}

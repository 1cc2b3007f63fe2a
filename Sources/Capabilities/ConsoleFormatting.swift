/// Writing text and numbers to a console without `String` (which would pull in the Unicode tables).
extension Console {
    public mutating func write(_ text: StaticString) {
        write(UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    public mutating func write(byte: UInt8) {
        withUnsafeBytes(of: byte) { write($0) }
    }

    /// `0x` and lowercase hex without leading zeros.
    public mutating func write(hex value: UInt64) {
        var digits: (UInt64, UInt64) = (0, 0)
        var count = 0
        withUnsafeMutableBytes(of: &digits) { buffer in
            var remaining = value
            repeat {
                buffer[15 - count] = hexDigit(UInt8(truncatingIfNeeded: remaining & 0xf))
                remaining >>= 4
                count += 1
            } while remaining != 0
            buffer[15 - count] = UInt8(ascii: "x")
            buffer[14 - count] = UInt8(ascii: "0")
        }
        withUnsafeBytes(of: &digits) { write(UnsafeRawBufferPointer(rebasing: $0[(14 - count)...])) }
    }

    /// Exactly `width` lowercase hex digits, no prefix.
    public mutating func write(hex value: UInt64, width: Int) {
        var shift = (width - 1) * 4
        while shift >= 0 {
            write(byte: hexDigit(UInt8(truncatingIfNeeded: (value >> UInt64(shift)) & 0xf)))
            shift -= 4
        }
    }

    public mutating func write(decimal value: UInt64) {
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        var count = 0
        withUnsafeMutableBytes(of: &digits) { buffer in
            var remaining = value
            repeat {
                buffer[23 - count] = UInt8(ascii: "0") + UInt8(remaining % 10)
                remaining /= 10
                count += 1
            } while remaining != 0
        }
        withUnsafeBytes(of: &digits) { write(UnsafeRawBufferPointer(rebasing: $0[(24 - count)...])) }
    }

    public mutating func write(decimal value: Int) {
        if value < 0 { write(byte: UInt8(ascii: "-")) }
        write(decimal: UInt64(value.magnitude))
    }

    public mutating func writeLine(_ text: StaticString) {
        write(text)
        write(byte: 10)
    }
}

@inline(__always)
private func hexDigit(_ nibble: UInt8) -> UInt8 {
    nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
}

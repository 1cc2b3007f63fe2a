/// Little-endian integers appended to and read from byte arrays, with bounds-checked reading.

extension Array where Element == UInt8 {
    mutating func appendLittleEndian<Value: FixedWidthInteger>(_ value: Value) {
        var remaining = value
        for _ in 0..<(Value.bitWidth / 8) {
            append(UInt8(truncatingIfNeeded: remaining))
            remaining = remaining >> 8
        }
    }

    mutating func storeLittleEndian<Value: FixedWidthInteger>(_ value: Value, at offset: Int) {
        var remaining = value
        for index in 0..<(Value.bitWidth / 8) {
            self[offset + index] = UInt8(truncatingIfNeeded: remaining)
            remaining = remaining >> 8
        }
    }
}

/// Reads fields in order from bytes that came off the disk; every read checks the bounds and
/// answers nil past the end, so a malformed structure never traps.
struct ByteCursor {
    let bytes: [UInt8]
    private(set) var position: Int

    init(_ bytes: [UInt8], position: Int = 0) {
        self.bytes = bytes
        self.position = position
    }

    var remaining: Int { bytes.count - position }

    mutating func integer<Value: FixedWidthInteger>(_ type: Value.Type) -> Value? {
        let width = Value.bitWidth / 8
        guard remaining >= width else { return nil }
        var value: Value = 0
        for index in stride(from: width - 1, through: 0, by: -1) {
            value = value << 8 | Value(truncatingIfNeeded: bytes[position + index])
        }
        position += width
        return value
    }

    mutating func take(_ count: Int) -> [UInt8]? {
        guard count >= 0, remaining >= count else { return nil }
        let slice = Array(bytes[position..<position + count])
        position += count
        return slice
    }

    mutating func skip(_ count: Int) -> Bool {
        guard count >= 0, remaining >= count else { return false }
        position += count
        return true
    }
}

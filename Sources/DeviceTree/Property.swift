// Property: a property's name and value as slices of the blob, and typed readings of it.

/// A property: its name and value, both slices of the blob (§2.2.4).
public struct Property {
    /// The name, without NUL.
    public let name: UnsafeRawBufferPointer
    /// The value bytes; empty for a boolean property.
    public let bytes: UnsafeRawBufferPointer
    /// The offset of the FDT_PROP token inside the structure block (libfdt's property offset).
    public let offset: Int

    /// Whether the value is empty (a property that is only present, like
    /// `interrupt-controller`).
    public var isEmpty: Bool { bytes.isEmpty }

    /// The value as one big-endian u32. Errors: `badPropertyLength` unless 4 bytes long.
    public var u32: UInt32 {
        get throws(DeviceTreeError) {
            guard bytes.count == 4 else { throw .badPropertyLength }
            return bytes.bigEndianUInt32(at: 0)
        }
    }

    /// The value as one big-endian u64. Errors: `badPropertyLength` unless 8 bytes long.
    public var u64: UInt64 {
        get throws(DeviceTreeError) {
            guard bytes.count == 8 else { throw .badPropertyLength }
            return bytes.bigEndianUInt64(at: 0)
        }
    }

    /// The value as a string: the bytes before the first NUL (the first string of a list).
    /// Errors: `unterminatedString` when there is no NUL.
    public var stringBytes: UnsafeRawBufferPointer {
        get throws(DeviceTreeError) {
            guard let end = bytes.firstIndex(of: 0) else { throw .unterminatedString }
            return bytes.slice(0, end)
        }
    }

    /// The value as a list of NUL-terminated strings (§2.2.4.2 `<stringlist>`). An
    /// unterminated tail is not a string: iteration ends before it.
    public var strings: StringList { StringList(bytes: bytes) }

    /// The value as big-endian u32 cells; a tail shorter than a cell is ignored.
    public var cells: Cells { Cells(bytes: bytes) }

    /// Whether the string list contains `text`.
    public func contains(string text: StaticString) -> Bool {
        text.withBytes { strings.contains($0) }
    }
}

/// The strings of a `<stringlist>` value, each without its NUL.
public struct StringList: Sequence {
    let bytes: UnsafeRawBufferPointer

    public struct Iterator: IteratorProtocol {
        let bytes: UnsafeRawBufferPointer
        var start = 0

        public mutating func next() -> UnsafeRawBufferPointer? {
            guard start < bytes.count, let end = bytes.firstIndex(of: 0, from: start) else { return nil }
            defer { start = end + 1 }
            return bytes.slice(start, end)
        }
    }

    public func makeIterator() -> Iterator { Iterator(bytes: bytes) }

    /// Whether one of the strings equals `text` exactly.
    public func contains(_ text: UnsafeRawBufferPointer) -> Bool {
        for string in self where string.equals(text) { return true }
        return false
    }

    /// The number of strings.
    public var count: Int {
        var count = 0
        for _ in self { count += 1 }
        return count
    }
}

/// The big-endian u32 cells of a value.
public struct Cells: Sequence {
    let bytes: UnsafeRawBufferPointer

    /// The number of whole cells.
    public var count: Int { bytes.count / 4 }

    /// The cell at `index`, or nil when out of range.
    public subscript(index: Int) -> UInt32? {
        guard index >= 0, index < count else { return nil }
        return bytes.bigEndianUInt32(at: index * 4)
    }

    public struct Iterator: IteratorProtocol {
        let bytes: UnsafeRawBufferPointer
        var offset = 0

        public mutating func next() -> UInt32? {
            guard bytes.count - offset >= 4 else { return nil }
            defer { offset += 4 }
            return bytes.bigEndianUInt32(at: offset)
        }
    }

    public func makeIterator() -> Iterator { Iterator(bytes: bytes) }
}

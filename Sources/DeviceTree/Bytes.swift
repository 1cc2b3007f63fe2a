// Bytes: big-endian reads by byte loads, byte-string comparison, StaticString access.

extension UnsafeRawBufferPointer {
    /// The big-endian u32 at `offset`, read byte by byte so any alignment is safe.
    /// The caller has checked that `offset + 4 <= count`.
    @inline(__always)
    func bigEndianUInt32(at offset: Int) -> UInt32 {
        UInt32(self[offset]) << 24 | UInt32(self[offset + 1]) << 16
            | UInt32(self[offset + 2]) << 8 | UInt32(self[offset + 3])
    }

    /// The big-endian u64 at `offset`; the caller has checked that `offset + 8 <= count`.
    @inline(__always)
    func bigEndianUInt64(at offset: Int) -> UInt64 {
        UInt64(bigEndianUInt32(at: offset)) << 32 | UInt64(bigEndianUInt32(at: offset + 4))
    }

    /// The index of the first NUL in `start..<end`, or nil. The caller keeps the range
    /// inside the buffer.
    func firstNUL(from start: Int, to end: Int) -> Int? {
        var index = start
        while index < end {
            if self[index] == 0 { return index }
            index += 1
        }
        return nil
    }

    /// The first index of `byte` in the buffer, or nil.
    func firstIndex(of byte: UInt8, from start: Int = 0) -> Int? {
        var index = start
        while index < count {
            if self[index] == byte { return index }
            index += 1
        }
        return nil
    }

    /// The bytes in `range`, rebased to start at index 0.
    @inline(__always)
    func slice(_ start: Int, _ end: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: self[start..<end])
    }

    /// Whether two byte strings are equal.
    func equals(_ other: UnsafeRawBufferPointer) -> Bool {
        guard count == other.count else { return false }
        var index = 0
        while index < count {
            if self[index] != other[index] { return false }
            index += 1
        }
        return true
    }

    /// Whether the bytes equal the UTF-8 of `text`.
    public func equals(_ text: StaticString) -> Bool {
        text.withBytes { equals($0) }
    }
}

extension StaticString {
    /// Calls `body` with the string's UTF-8 bytes (no NUL). The bytes must not escape.
    @inline(__always)
    func withBytes<Result>(
        _ body: (UnsafeRawBufferPointer) throws(DeviceTreeError) -> Result
    ) throws(DeviceTreeError) -> Result {
        if hasPointerRepresentation {
            return try body(UnsafeRawBufferPointer(start: utf8Start, count: utf8CodeUnitCount))
        }
        // A single-scalar literal has no stored UTF-8; the standard library encodes it.
        let outcome: Swift.Result<Result, DeviceTreeError> = withUTF8Buffer { buffer in
            Swift.Result { () throws(DeviceTreeError) -> Result in try body(UnsafeRawBufferPointer(buffer)) }
        }
        return try outcome.get()
    }

    /// As `withBytes`, for a body that cannot fail.
    @inline(__always)
    func withBytes<Result>(_ body: (UnsafeRawBufferPointer) -> Result) -> Result {
        if hasPointerRepresentation {
            return body(UnsafeRawBufferPointer(start: utf8Start, count: utf8CodeUnitCount))
        }
        return withUTF8Buffer { body(UnsafeRawBufferPointer($0)) }
    }
}

/// The UTF-8 bytes of a literal with more than one character (stored as bytes, so the
/// pointer stays valid for the program's lifetime).
func staticBytes(_ text: StaticString) -> UnsafeRawBufferPointer {
    UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount)
}

/// Rounds a structure-block offset up to the next token boundary (4 bytes, §5.4.1).
@inline(__always)
func alignedToToken(_ offset: Int) -> Int {
    (offset + 3) & ~3
}

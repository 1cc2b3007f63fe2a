/// The writer's byte-level output, the end of the field section, and the final check.

extension HTTPResponseWriter {
    /// What the connection needs from a finished writer.
    struct Outcome {
        /// Bytes of status line, fields and copied content.
        var length: Int
        /// Content still to send from the handler's memory.
        var borrowedContent: UnsafeRawBufferPointer?
        var keepAlive: Bool
    }

    /// Ends the field section: the Connection field, then the empty line (RFC 9112 §9.6:
    /// a server that will close MUST send "close"; an HTTP/1.0 client needs "keep-alive"
    /// to know the connection persists, RFC 9112 appendix C.2.2).
    mutating func endFields() {
        guard phase == .fields else { return }
        if !keepAlive {
            append("Connection: close\r\n")
        } else if requestVersion == .http1_0 {
            append("Connection: keep-alive\r\n")
        }
        append("\r\n")
        if phase == .fields { phase = .content }
    }

    /// Closes the response: the outcome when it is complete and consistent, else nil.
    consuming func finish() -> Outcome? {
        if phase == .fields { endFields() }
        guard phase == .content else { return nil }
        // HEAD may leave the content unwritten; otherwise it must match the announcement.
        guard omitsContent || contentWritten == announcedLength else { return nil }
        return Outcome(length: count, borrowedContent: borrowedContent, keepAlive: keepAlive)
    }

    /// Whether a field named `name` may be written now; spoils the response if not.
    mutating func startField(_ name: StaticString) -> Bool {
        let bytes = UnsafeRawBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount)
        guard phase == .fields, bytes.count > 0 else {
            fail()
            return false
        }
        for byte in bytes where !ASCII.isTokenCharacter(byte) {
            fail()
            return false
        }
        return true
    }

    /// Marks the response spoiled; nothing more is written.
    mutating func fail() {
        phase = .failed
    }

    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        guard phase != .failed else { return }
        guard bytes.count <= capacity - count, let base else {
            if bytes.count > 0 { fail() }
            return
        }
        if let source = bytes.baseAddress, bytes.count > 0 {
            (base + count).copyMemory(from: source, byteCount: bytes.count)
        }
        count += bytes.count
    }

    mutating func append(_ text: StaticString) {
        append(UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// Appends `value` in decimal, without leading zeros.
    mutating func appendDecimal(_ value: UInt64) {
        var digits = InlineArray<20, UInt8>(repeating: 0)
        var remaining = value
        var length = 0
        repeat {
            digits[19 - length] = UInt8(truncatingIfNeeded: remaining % 10) + 0x30
            remaining /= 10
            length += 1
        } while remaining > 0
        withUnsafeBytes(of: &digits) { raw in
            append(UnsafeRawBufferPointer(rebasing: raw[(20 - length)...]))
        }
    }
}

/// The chunked transfer coding of request content, trailers included (RFC 9112 §7.1).

extension HTTPRequestParser {
    /// Advances through one piece of a chunked body: a chunk-size line, chunk data, the CRLF
    /// after it, or a trailer line.
    ///
    /// chunked-body = *chunk last-chunk trailer-section CRLF (RFC 9112 §7.1)
    /// - Returns: bytes used and the event to report, or nil to keep going.
    mutating func stepChunked(_ rest: UnsafeRawBufferPointer) throws(HTTPError) -> (Int, HTTPParseEvent?) {
        switch state {
        case .chunkSizeLine:
            let (used, complete) = try accumulateLine(rest, limit: limits.chunkLineLength, tooLong: .chunkLineTooLong)
            guard complete else { return (used, .needsInput) }
            let size = try Self.parseChunkSize(line)
            lineEnd = lineStart
            if size == 0 {
                // last-chunk: what follows is the trailer section, with its own budget.
                fieldCount = 0
                sectionLength = 0
                state = .trailerLine
                return (used, nil)
            }
            // Checked before any data arrives, so an oversized chunk is refused at once.
            let (total, overflow) = bodyLength.addingReportingOverflow(size)
            guard !overflow && total <= contentLimit else { throw .contentTooLarge }
            bodyLength = total
            state = .chunkData(remaining: size)
            return (used, nil)

        case .chunkData(let remaining):
            guard rest.count > 0 else { return (0, .needsInput) }
            let taken = Self.take(remaining, from: rest)
            state = remaining == UInt64(taken) ? .chunkDataCarriageReturn : .chunkData(remaining: remaining - UInt64(taken))
            return (taken, .body(UnsafeRawBufferPointer(rebasing: rest[..<taken])))

        case .chunkDataCarriageReturn:
            guard rest.count > 0 else { return (0, .needsInput) }
            guard rest[0] == ASCII.carriageReturn else { throw .invalidChunkTerminator }
            state = .chunkDataLineFeed
            return (1, nil)

        case .chunkDataLineFeed:
            guard rest.count > 0 else { return (0, .needsInput) }
            guard rest[0] == ASCII.lineFeed else { throw .invalidChunkTerminator }
            state = .chunkSizeLine
            return (1, nil)

        case .trailerLine:
            // Trailer lines share the scratch line, so one may be at most `chunkLineLength`.
            let budget = Swift.max(0, Swift.min(limits.headerSectionLength - sectionLength - 2, limits.chunkLineLength))
            let (used, complete) = try accumulateLine(rest, limit: budget, tooLong: .headerSectionTooLarge)
            guard complete else { return (used, .needsInput) }
            if lineEnd == lineStart {
                state = .messageComplete
                return (used, nil)
            }
            try parseFieldLine(line, storing: false)
            sectionLength += lineEnd - lineStart + 2
            lineEnd = lineStart
            return (used, nil)

        default:
            return (0, nil)
        }
    }

    /// chunk-size [ chunk-ext ]: 1*HEXDIG, then optional extensions, which a recipient MUST
    /// ignore when it does not understand them (RFC 9112 §7.1.1); they are only checked for
    /// control bytes.
    static func parseChunkSize(_ line: UnsafeRawBufferPointer) throws(HTTPError) -> UInt64 {
        var index = 0
        var size: UInt64 = 0
        while index < line.count, let digit = ASCII.hexadecimalValue(line[index]) {
            // RFC 9112 §7.1: recipients MUST anticipate large hexadecimal numerals and
            // prevent integer overflow.
            guard size <= UInt64.max >> 4 else { throw .chunkSizeOverflow }
            size = size << 4 | UInt64(digit)
            index += 1
        }
        guard index > 0 else { throw .invalidChunkSize }
        // chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] )
        while index < line.count && ASCII.isWhitespace(line[index]) { index += 1 }
        guard index < line.count else { return size }
        guard line[index] == ASCII.semicolon else { throw .invalidChunkSize }
        for byte in line[index...] where !ASCII.isFieldValueCharacter(byte) {
            throw .invalidChunkSize
        }
        return size
    }
}

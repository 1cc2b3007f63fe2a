/// Field lines and the fields that frame a request: Content-Length, Transfer-Encoding, Host,
/// Connection, Expect (RFC 9110 §5, RFC 9112 §5, §6).

extension HTTPRequestParser {
    /// Checks one field line (RFC 9112 §5: field-name ":" OWS field-value OWS) and, for a
    /// header line, stores its location and applies the framing fields. Trailer lines are
    /// only checked: RFC 9110 §6.5.1 lets a recipient discard trailer fields.
    mutating func parseFieldLine(_ line: UnsafeRawBufferPointer, storing: Bool) throws(HTTPError) {
        // RFC 9112 §5.2: obs-fold (a line starting with whitespace) MUST be rejected with 400,
        // which also covers whitespace between the start-line and the first field (§2.2).
        guard !ASCII.isWhitespace(line[0]) else { throw .obsoleteLineFolding }
        var colon = 0
        while colon < line.count && line[colon] != ASCII.colon {
            let byte = line[colon]
            // RFC 9112 §5.1: whitespace between name and colon MUST be rejected with 400.
            if ASCII.isWhitespace(byte) { throw .whitespaceBeforeColon }
            guard ASCII.isTokenCharacter(byte) else { throw .invalidFieldName }
            colon += 1
        }
        guard colon > 0 && colon < line.count else { throw .invalidFieldName }

        var valueStart = colon + 1
        var valueEnd = line.count
        while valueStart < valueEnd && ASCII.isWhitespace(line[valueStart]) { valueStart += 1 }
        while valueEnd > valueStart && ASCII.isWhitespace(line[valueEnd - 1]) { valueEnd -= 1 }
        for index in valueStart..<valueEnd where !ASCII.isFieldValueCharacter(line[index]) {
            // RFC 9110 §5.5: CR, LF and NUL are dangerous; other controls are not field-vchar.
            throw .invalidFieldValue
        }

        guard fieldCount < limits.headerFieldCount else { throw .tooManyHeaderFields }
        fieldCount += 1
        guard storing else { return }
        headerFieldCount = fieldCount
        let name = UnsafeRawBufferPointer(rebasing: line[..<colon])
        let value = UnsafeRawBufferPointer(rebasing: line[valueStart..<valueEnd])
        fieldLocations[fieldCount - 1] = FieldLocation(
            nameStart: Int32(lineStart), nameEnd: Int32(lineStart + colon),
            valueStart: Int32(lineStart + valueStart), valueEnd: Int32(lineStart + valueEnd))
        try applyFramingField(name: name, value: value, valueOffset: lineStart + valueStart)
    }

    /// Records what the fields that govern framing and persistence say.
    mutating func applyFramingField(name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer,
                                    valueOffset: Int) throws(HTTPError) {
        if ASCII.equalsIgnoringCase(name, "content-length") {
            try applyContentLength(value)
        } else if ASCII.equalsIgnoringCase(name, "transfer-encoding") {
            try applyTransferEncoding(value)
        } else if ASCII.equalsIgnoringCase(name, "host") {
            // RFC 9112 §3.2: more than one Host line, or an invalid value, MUST get 400.
            head.hostCount += 1
            guard head.hostCount == 1 else { throw .duplicateHost }
            guard Self.isValidAuthority(value) else { throw .invalidHost }
            head.host = valueOffset..<(valueOffset + value.count)
        } else if ASCII.equalsIgnoringCase(name, "connection") {
            // RFC 9112 §9.3: the "close" and "keep-alive" connection options.
            ASCII.forEachListElement(value) { option in
                if ASCII.equalsIgnoringCase(option, "close") { head.closeRequested = true }
                if ASCII.equalsIgnoringCase(option, "keep-alive") { head.keepAliveRequested = true }
            }
        } else if ASCII.equalsIgnoringCase(name, "expect") {
            // RFC 9110 §10.1.1: 100-continue is the only expectation defined.
            guard ASCII.equalsIgnoringCase(value, "100-continue") else { throw .unsupportedExpectation }
            head.expectsContinue = true
        }
    }

    /// Content-Length = 1*DIGIT (RFC 9110 §8.6). A list of one value repeated ("42, 42") and
    /// repeated lines with the same value are accepted as that value, as the RFC allows;
    /// differing values are a framing error (RFC 9112 §6.3 item 5). Values beyond 64 bits
    /// saturate: they exceed any body limit and are answered 413.
    mutating func applyContentLength(_ value: UnsafeRawBufferPointer) throws(HTTPError) {
        var start = 0
        for index in 0...value.count where index == value.count || value[index] == ASCII.comma {
            let element = ASCII.trimmingWhitespace(UnsafeRawBufferPointer(rebasing: value[start..<index]))
            start = index + 1
            guard element.count > 0 else { throw .invalidContentLength }
            var length: UInt64 = 0
            for byte in element {
                guard ASCII.isDigit(byte) else { throw .invalidContentLength }
                let (product, multiplyOverflow) = length.multipliedReportingOverflow(by: 10)
                let (sum, addOverflow) = product.addingReportingOverflow(UInt64(byte - 0x30))
                length = multiplyOverflow || addOverflow ? .max : sum
            }
            if let previous = head.contentLength, previous != length { throw .conflictingContentLength }
            head.contentLength = length
        }
    }

    /// Transfer-Encoding = #transfer-coding (RFC 9112 §6.1). Only chunked is implemented;
    /// the checks that need the whole list run in `finishHead`.
    mutating func applyTransferEncoding(_ value: UnsafeRawBufferPointer) throws(HTTPError) {
        head.hasTransferEncoding = true
        try ASCII.forEachListElement(value) { (coding) throws(HTTPError) in
            if ASCII.equalsIgnoringCase(coding, "chunked") {
                head.chunkedCount += 1
                head.chunkedIsLast = true
                return
            }
            // A coding name is a token, optionally followed by parameters after ";".
            var nameEnd = 0
            while nameEnd < coding.count && ASCII.isTokenCharacter(coding[nameEnd]) { nameEnd += 1 }
            guard nameEnd > 0 else { throw .invalidTransferEncoding }
            for byte in coding[nameEnd...] where !ASCII.isFieldValueCharacter(byte) {
                throw .invalidTransferEncoding
            }
            head.hasUnsupportedCoding = true
            head.chunkedIsLast = false
        }
    }

    /// Checks the complete header section and decides the framing (RFC 9112 §6.3) and
    /// whether the connection persists (RFC 9112 §9.3).
    mutating func finishHead() throws(HTTPError) {
        if head.version == .http1_1 && head.hostCount == 0 { throw .missingHost }
        if head.hasTransferEncoding {
            // RFC 9112 §6.1: Transfer-Encoding in HTTP/1.0 means the framing is faulty.
            if head.version == .http1_0 { throw .transferEncodingInHTTP1_0 }
            // RFC 9112 §6.3 item 3: a server MAY reject TE with CL; this one does.
            if head.contentLength != nil { throw .transferEncodingWithContentLength }
            // RFC 9112 §6.3 item 4: chunked must be the final coding, applied once (§7).
            guard head.chunkedCount == 1 && head.chunkedIsLast else { throw .invalidTransferEncoding }
            // RFC 9112 §6.1: a coding the server does not understand SHOULD get 501.
            if head.hasUnsupportedCoding { throw .unsupportedTransferCoding }
            head.framing = .chunked
        } else if let length = head.contentLength {
            guard length <= UInt64(limits.contentLimit) else { throw .contentTooLarge }
            head.framing = length == 0 ? .none : .length(length)
        } else {
            // RFC 9112 §6.3 item 7: a request with neither has no content.
            head.framing = .none
        }
        head.keepAlive = !head.closeRequested && (head.version == .http1_1 || head.keepAliveRequested)
        // RFC 9110 §10.1.1: a 100-continue expectation in an HTTP/1.0 request MUST be ignored.
        if head.version == .http1_0 { head.expectsContinue = false }

        scratchStart = lineEnd
        lineStart = scratchStart
        switch head.framing {
        case .none: state = .messageComplete
        case .length(let length): state = .contentBody(remaining: length)
        case .chunked: state = .chunkSizeLine
        }
    }
}

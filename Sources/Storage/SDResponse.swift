/// A command's response as the host controller read it: 32 bits of a short response, or 128 of R2.

/// The payload of a response: for R1, R3, R6 and R7 the 32 bits between the command index and
/// the CRC (`word0`); for R2 the CID or CSD register's bits 127–0 with bit 127 the top bit of
/// `word3` (§4.9.3: the response's bits 127–1 are the register's, bit 0 the end bit; SD hosts
/// report the register with its CRC byte in bits 7–0).
public struct SDResponse: Equatable, Sendable {
    public var word0: UInt32
    public var word1: UInt32
    public var word2: UInt32
    public var word3: UInt32

    public init(word0: UInt32 = 0, word1: UInt32 = 0, word2: UInt32 = 0, word3: UInt32 = 0) {
        self.word0 = word0
        self.word1 = word1
        self.word2 = word2
        self.word3 = word3
    }

    /// A short response.
    public init(_ value: UInt32) { self.init(word0: value) }

    /// A long response from the register's 16 bytes, most significant first (as the SD
    /// specification draws it).
    public init(registerBytes bytes: [UInt8]) {
        func word(_ start: Int) -> UInt32 {
            var value: UInt32 = 0
            for index in start..<start + 4 { value = value << 8 | UInt32(index < bytes.count ? bytes[index] : 0) }
            return value
        }
        self.init(word0: word(12), word1: word(8), word2: word(4), word3: word(0))
    }

    /// Register bits `high` down to `low` (at most 32 of them, `high` ≤ 127), as the
    /// specification numbers them: `bits(127, 126)` is the CSD_STRUCTURE field.
    public func bits(_ high: Int, _ low: Int) -> UInt32 {
        precondition(high >= low && high - low < 32 && high < 128 && low >= 0, "bit range")
        var value: UInt64 = 0
        var bit = high
        while bit >= low {
            value = value << 1 | UInt64((word(bit / 32) >> UInt32(bit % 32)) & 1)
            bit -= 1
        }
        return UInt32(truncatingIfNeeded: value)
    }

    private func word(_ index: Int) -> UInt32 {
        switch index {
        case 0: return word0
        case 1: return word1
        case 2: return word2
        default: return word3
        }
    }
}

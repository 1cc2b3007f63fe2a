// SHA-256 against the FIPS 180-4 example vectors and sha256sum references for seeded random inputs.
import Testing
import Digest

/// The digest as 64 lowercase hexadecimal digits, via the module's own encoder.
func hexadecimal(_ digest: SHA256.Digest) -> String {
    var text = [UInt8](repeating: 0, count: 64)
    let written = text.withUnsafeMutableBytes { try? digest.hexadecimal(into: $0) }
    #expect(written == 64)
    return String(decoding: text, as: UTF8.self)
}

/// SplitMix64, so the inputs are reproducible from a seed; the references below were computed
/// by generating the same bytes in Python and piping them through `sha256sum`.
struct SplitMix64 {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func bytes(_ count: Int) -> [UInt8] {
        (0..<count).map { _ in UInt8(truncatingIfNeeded: next()) }
    }
}

@Suite struct FIPSVectors {
    // FIPS 180-4 examples (NIST CSRC "SHA256.pdf" example values).
    @Test func oneBlockMessageABC() {
        #expect(hexadecimal(SHA256.hash(Array("abc".utf8)))
            == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func twoBlockMessage448Bits() {
        let message = Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
        #expect(message.count * 8 == 448)
        #expect(hexadecimal(SHA256.hash(message))
            == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    @Test func message896Bits() {
        let message = Array(("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
            + "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu").utf8)
        #expect(hexadecimal(SHA256.hash(message))
            == "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1")
    }

    @Test func oneMillionA() {
        // Fed in 1000-byte pieces, so both the block path and the pending path run.
        var hasher = SHA256()
        let piece = [UInt8](repeating: UInt8(ascii: "a"), count: 1000)
        for _ in 0..<1000 {
            piece.withUnsafeBytes { hasher.update($0) }
        }
        #expect(hexadecimal(hasher.finalize())
            == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func oneMillionAOneByteAtATime() {
        var hasher = SHA256()
        for _ in 0..<1_000_000 {
            hasher.update(byte: UInt8(ascii: "a"))
        }
        #expect(hexadecimal(hasher.finalize())
            == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func emptyMessage() {
        #expect(hexadecimal(SHA256().finalize())
            == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hash(UnsafeRawBufferPointer(start: nil, count: 0)) == SHA256().finalize())
    }
}

@Suite struct RandomInputs {
    /// (seed, length, sha256sum of `SplitMix64(state: seed).bytes(length)`): lengths around
    /// the padding boundaries (55/56 bytes leave one or two padding blocks) and a few large ones.
    static let references: [(UInt64, Int, String)] = [
        (1, 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        (2, 1, "c337ded6f56c07205fb7b391654d7d463c9e0c726869523ae6024c9bec878878"),
        (3, 55, "66fbef61e0935e6b0f1e36a56f90570d434bbe14dc28ec5517516431bacc72be"),
        (4, 56, "02ea9e7d26786ed4642daf824b860a0947777474f3408e678c9476bf12b08d19"),
        (5, 63, "37dd02fdddae78adb2078903624a1e03b0ceb0aa8c1b2779d0d25a1bf64d339d"),
        (6, 64, "487ef6ff22fa19cba36d2ca7980d597fd8457a80def9cd223190b39b3e864cba"),
        (7, 65, "ee06f52b97db3272502c84b869ef1a72d9066e443b4ffff456e1ca3be8723336"),
        (8, 119, "e09cdc6c65f1707e5e99fbcc157e049f542b940ef2fae1cd4df7d9cb85e946f3"),
        (9, 120, "b168de838ab317ce47af67f004ac3e7ce98e23d4a58fc1bee6097497bc00b313"),
        (10, 127, "1dc1242c3d15b3816db6d7918fa6da4ed2e2aa1f8d508fdc025c30ebff9b8b1b"),
        (11, 128, "5b7c0db8be4cd5bb2418583138b9b8a3ef6f4fe89fb8a02cb081fd1c106250de"),
        (12, 1000, "cbcd6155f2562ece9b30abf33db8bf4cd456ab758e7b1b6e2fb6b94eecd5f770"),
        (13, 4097, "2f2da4930c5084ddda276d67361502a797bb38d1088925b1197e6c1466bbfae0"),
        (14, 65537, "e66f3060a85f1579873e9dfc7b8ddd083f9e79aea02912c3f0636b0cb675c2d6"),
    ]

    @Test func wholeMessages() {
        for (seed, length, expected) in Self.references {
            var random = SplitMix64(state: seed)
            let message = random.bytes(length)
            #expect(hexadecimal(SHA256.hash(message)) == expected, "seed \(seed)")
        }
    }

    @Test func splitAtRandomChunkBoundaries() {
        var splitter = SplitMix64(state: 0x5EA1)
        for (seed, length, expected) in Self.references {
            var random = SplitMix64(state: seed)
            let message = random.bytes(length)
            for _ in 0..<20 {
                var hasher = SHA256()
                var offset = 0
                while offset < message.count {
                    // Chunks of 0…130 bytes: empty updates, sub-block and multi-block pieces.
                    let size = min(Int(splitter.next() % 131), message.count - offset)
                    message[offset..<(offset + size)].withUnsafeBytes { hasher.update($0) }
                    offset += size
                }
                #expect(hexadecimal(hasher.finalize()) == expected, "seed \(seed)")
            }
        }
    }

    @Test func finalizeLeavesTheHasherUsable() {
        var random = SplitMix64(state: 12)
        let message = random.bytes(1000)
        var hasher = SHA256()
        hasher.update(message[0..<500])
        #expect(hasher.finalize() == SHA256.hash(message[0..<500]))
        hasher.update(message[500...])
        #expect(hexadecimal(hasher.finalize())
            == "cbcd6155f2562ece9b30abf33db8bf4cd456ab758e7b1b6e2fb6b94eecd5f770")
    }

    @Test func nonContiguousSequenceMatchesBuffer() {
        var random = SplitMix64(state: 13)
        let message = random.bytes(4097)
        #expect(SHA256.hash(message.lazy.map { $0 }) == SHA256.hash(message))
    }
}

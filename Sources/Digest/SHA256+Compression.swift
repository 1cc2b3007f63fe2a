/// The SHA-256 compression function: one 512-bit block into the eight hash words (FIPS 180-4 §6.2.2).

extension SHA256 {
    /// The 64 round constants K0…K63: the first 32 bits of the fractional parts of the cube
    /// roots of the first 64 primes (FIPS 180-4 §4.2.2).
    static let roundConstants: InlineArray<64, UInt32> = [
        0x428a_2f98, 0x7137_4491, 0xb5c0_fbcf, 0xe9b5_dba5, 0x3956_c25b, 0x59f1_11f1, 0x923f_82a4, 0xab1c_5ed5,
        0xd807_aa98, 0x1283_5b01, 0x2431_85be, 0x550c_7dc3, 0x72be_5d74, 0x80de_b1fe, 0x9bdc_06a7, 0xc19b_f174,
        0xe49b_69c1, 0xefbe_4786, 0x0fc1_9dc6, 0x240c_a1cc, 0x2de9_2c6f, 0x4a74_84aa, 0x5cb0_a9dc, 0x76f9_88da,
        0x983e_5152, 0xa831_c66d, 0xb003_27c8, 0xbf59_7fc7, 0xc6e0_0bf3, 0xd5a7_9147, 0x06ca_6351, 0x1429_2967,
        0x27b7_0a85, 0x2e1b_2138, 0x4d2c_6dfc, 0x5338_0d13, 0x650a_7354, 0x766a_0abb, 0x81c2_c92e, 0x9272_2c85,
        0xa2bf_e8a1, 0xa81a_664b, 0xc24b_8b70, 0xc76c_51a3, 0xd192_e819, 0xd699_0624, 0xf40e_3585, 0x106a_a070,
        0x19a4_c116, 0x1e37_6c08, 0x2748_774c, 0x34b0_bcb5, 0x391c_0cb3, 0x4ed8_aa4a, 0x5b9c_ca4f, 0x682e_6ff3,
        0x748f_82ee, 0x78a5_636f, 0x84c8_7814, 0x8cc7_0208, 0x90be_fffa, 0xa450_6ceb, 0xbef9_a3f7, 0xc671_78f2,
    ]

    /// Folds the 64 bytes at `block` into `state`. `block` needs no particular alignment.
    mutating func compress(block: UnsafeRawPointer) {
        // The message schedule W is kept as a rolling window of 16 words: W[t] only depends on
        // W[t-2], W[t-7], W[t-15] and W[t-16] (FIPS 180-4 §6.2.2 step 1).
        var schedule = InlineArray<16, UInt32>(repeating: 0)
        for index in 0..<16 {
            let offset = index * 4
            schedule[index] = UInt32(block.load(fromByteOffset: offset, as: UInt8.self)) << 24
                | UInt32(block.load(fromByteOffset: offset + 1, as: UInt8.self)) << 16
                | UInt32(block.load(fromByteOffset: offset + 2, as: UInt8.self)) << 8
                | UInt32(block.load(fromByteOffset: offset + 3, as: UInt8.self))
        }

        var a = state[0], b = state[1], c = state[2], d = state[3]
        var e = state[4], f = state[5], g = state[6], h = state[7]

        for round in 0..<64 {
            let word: UInt32
            if round < 16 {
                word = schedule[round]
            } else {
                let minus2 = schedule[(round - 2) & 15]
                let minus15 = schedule[(round - 15) & 15]
                word = smallSigma1(minus2) &+ schedule[(round - 7) & 15]
                    &+ smallSigma0(minus15) &+ schedule[round & 15]
                schedule[round & 15] = word
            }
            // FIPS 180-4 §6.2.2 step 3.
            let temporary1 = h &+ bigSigma1(e) &+ choose(e, f, g) &+ SHA256.roundConstants[round] &+ word
            let temporary2 = bigSigma0(a) &+ majority(a, b, c)
            h = g
            g = f
            f = e
            e = d &+ temporary1
            d = c
            c = b
            b = a
            a = temporary1 &+ temporary2
        }

        state[0] &+= a
        state[1] &+= b
        state[2] &+= c
        state[3] &+= d
        state[4] &+= e
        state[5] &+= f
        state[6] &+= g
        state[7] &+= h
    }
}

// The logical functions of FIPS 180-4 §4.1.2.

@inline(__always)
private func rotateRight(_ value: UInt32, _ count: UInt32) -> UInt32 {
    (value >> count) | (value << (32 - count))
}

@inline(__always)
private func choose(_ x: UInt32, _ y: UInt32, _ z: UInt32) -> UInt32 { (x & y) ^ (~x & z) }

@inline(__always)
private func majority(_ x: UInt32, _ y: UInt32, _ z: UInt32) -> UInt32 { (x & y) ^ (x & z) ^ (y & z) }

@inline(__always)
private func bigSigma0(_ x: UInt32) -> UInt32 { rotateRight(x, 2) ^ rotateRight(x, 13) ^ rotateRight(x, 22) }

@inline(__always)
private func bigSigma1(_ x: UInt32) -> UInt32 { rotateRight(x, 6) ^ rotateRight(x, 11) ^ rotateRight(x, 25) }

@inline(__always)
private func smallSigma0(_ x: UInt32) -> UInt32 { rotateRight(x, 7) ^ rotateRight(x, 18) ^ (x >> 3) }

@inline(__always)
private func smallSigma1(_ x: UInt32) -> UInt32 { rotateRight(x, 17) ^ rotateRight(x, 19) ^ (x >> 10) }

/// The board's entropy: /chosen/rng-seed and kaslr-seed, and A10 timer jitter, mixed into a SipHash-keyed generator.
import ARMBoot
import Capabilities
import Digest
import DeviceTree
import Drivers

/// Built like qemu-virt's, minus virtio-rng (the A10 has no random-number device this board
/// uses): every output is SipHash-2-4 of a fresh counter and the 3 MHz timer count under a
/// 128-bit key that absorbs the seeds and jitter at start and is re-derived every 64 outputs.
struct CubieboardEntropy: Entropy {
    private var key0: UInt64 = 0x5365_616c_2d63_7562  // "Seal-cub": a domain tag, not a secret
    private var key1: UInt64 = 0x6965_626f_6172_6431
    private var counter: UInt64 = 0
    /// What went into the key at start, for the boot report.
    let seedBytes: Int
    let hasKASLRSeed: Bool

    init(tree: DeviceTree?) {
        let randomSeed = tree.flatMap { try? $0.randomSeed }
        seedBytes = randomSeed?.count ?? 0
        let kaslrSeed = tree.flatMap { try? $0.kaslrSeed }
        hasKASLRSeed = kaslrSeed != nil
        if let seed = randomSeed {
            var word: UInt64 = 0
            for (index, byte) in seed.enumerated() {
                word = word << 8 | UInt64(byte)
                if index % 8 == 7 { absorb(word) }
            }
            absorb(word ^ UInt64(seed.count))
        }
        if let seed = kaslrSeed { absorb(seed) }
        absorbJitter(samples: 64)
    }

    /// Seeds the pool behind `getentropy` (Swift's hash seeds) with timer jitter at boot: QEMU
    /// puts no rng-seed in this board's device tree, and tables may be made before the app
    /// takes the network.
    static func mixBootJitter() {
        var entropy = CubieboardEntropy(tree: nil)
        seal_entropy_mix(entropy.next())
    }

    mutating func next() -> UInt64 {
        counter &+= 1
        if counter % 64 == 0 { refresh() }
        return SipHash(key0: key0, key1: key1).hash(counter, A10Timer.counts())
    }

    private mutating func refresh() {
        absorbJitter(samples: 4)
        // Ratchet: the old key cannot be recovered from the new one.
        absorb(SipHash(key0: key0, key1: key1).hash(~counter, 0))
    }

    private mutating func absorb(_ word: UInt64) {
        let hash = SipHash(key0: key0, key1: key1)
        let first = hash.hash(word, 1)
        let second = hash.hash(word, 2)
        key0 = first
        key1 = second
    }

    /// The counter's low bits around short, data-dependent loops: host scheduling and TCG
    /// timing (or, on the board, bus and cache timing) make them vary a little every boot.
    private mutating func absorbJitter(samples: Int) {
        var accumulator: UInt64 = 0
        for sample in 0..<samples {
            let start = A10Timer.rawCount()
            var spin = (start & 0xf) + 1
            while spin > 0 { spin -= 1; accumulator = accumulator &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(A10Timer.rawCount()) }
            accumulator ^= UInt64(A10Timer.rawCount() &- start) << UInt64(sample % 56)
        }
        absorb(accumulator)
    }
}

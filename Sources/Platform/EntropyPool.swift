/// The generator behind every board's `Entropy`: a SipHash-keyed counter whose key absorbs the device tree's seeds, timer jitter and whatever random device the board has.
import Digest
import DeviceTree

/// Every output is SipHash-2-4, under a 128-bit key, of a fresh counter and the board's timer
/// count. The key absorbs every input (seeds, device bytes, jitter) and is re-derived every 64
/// outputs, so even with no device and no seeds the sequence differs from boot to boot (the
/// timer's value at each step depends on bus, cache and host timing) and is never a constant.
public struct EntropyPool {
    private var key0: UInt64
    private var key1: UInt64
    private var counter: UInt64 = 0
    /// The board's free-running timer count.
    private let readCounter: () -> UInt64
    /// What went into the key at start, for the boot report.
    public let seedBytes: Int
    public let hasKASLRSeed: Bool

    /// A pool keyed first by `tag` (a per-board domain separator, not a secret), then by
    /// `/chosen/rng-seed` and `kaslr-seed` of `tree`, then by 64 samples of timer jitter.
    public init(tag: (UInt64, UInt64), tree: DeviceTree?, readCounter: @escaping () -> UInt64) {
        key0 = tag.0
        key1 = tag.1
        self.readCounter = readCounter
        let randomSeed = tree.flatMap { try? $0.randomSeed }
        seedBytes = randomSeed?.count ?? 0
        let kaslrSeed = tree.flatMap { try? $0.kaslrSeed }
        hasKASLRSeed = kaslrSeed != nil
        if let tree { EntropyPool.forEachSeedWord(of: tree) { absorb($0) } }
        absorbJitter(samples: 64)
    }

    /// The boot loader's seeds as 64-bit words: `/chosen/rng-seed` eight bytes at a time (the
    /// last word tagged with the length), then `kaslr-seed`.
    public static func forEachSeedWord(of tree: DeviceTree, _ body: (UInt64) -> Void) {
        if let seed = try? tree.randomSeed {
            var word: UInt64 = 0
            for (index, byte) in seed.enumerated() {
                word = word << 8 | UInt64(byte)
                if index % 8 == 7 { body(word) }
            }
            body(word ^ UInt64(seed.count))
        }
        if let seed = try? tree.kaslrSeed { body(seed) }
    }

    /// Whether the next output re-derives the key: the moment to absorb a random device's bytes.
    public var wantsMaterial: Bool { (counter &+ 1) % 64 == 0 }

    public mutating func next() -> UInt64 {
        counter &+= 1
        if counter % 64 == 0 {
            absorbJitter(samples: 4)
            // Ratchet: the old key cannot be recovered from the new one.
            absorb(SipHash(key0: key0, key1: key1).hash(~counter, 0))
        }
        return SipHash(key0: key0, key1: key1).hash(counter, readCounter())
    }

    public mutating func absorb(_ word: UInt64) {
        let hash = SipHash(key0: key0, key1: key1)
        let first = hash.hash(word, 1)
        let second = hash.hash(word, 2)
        key0 = first
        key1 = second
    }

    /// The counter's low bits around short, data-dependent loops: bus and cache timing on a
    /// board, host scheduling and TCG's timing in QEMU, make them vary a little every boot.
    public mutating func absorbJitter(samples: Int) {
        var accumulator: UInt64 = 0
        for sample in 0..<samples {
            let start = readCounter()
            var spin = (start & 0xf) + 1
            while spin > 0 { spin -= 1; accumulator = accumulator &* 0x9E37_79B9_7F4A_7C15 &+ readCounter() }
            accumulator ^= (readCounter() &- start) << UInt64(sample % 56)
        }
        absorb(accumulator)
    }
}

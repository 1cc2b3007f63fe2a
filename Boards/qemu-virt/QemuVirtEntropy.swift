/// The board's entropy: virtio-rng when present, /chosen/rng-seed and kaslr-seed, and timer-counter jitter, mixed into a SipHash-keyed generator.
import ARMBoot
import Capabilities
import Digest
import DeviceTree
import Drivers

/// Every output is SipHash-2-4 under a 128-bit key of a fresh counter and the timer count;
/// the key absorbs every input (seeds, device bytes, jitter) and is re-derived every 64
/// outputs, so even with no device and no seeds the sequence differs from boot to boot
/// (the counter's value at each step depends on host timing) and is never a constant.
struct QemuVirtEntropy: Entropy {
    private var key0: UInt64 = 0x5365_616c_2d71_656d  // "Seal-qem": a domain tag, not a secret
    private var key1: UInt64 = 0x752d_7669_7274_2d31
    private var counter: UInt64 = 0
    private var device: VirtioEntropy?
    /// What went into the key at start, for the boot report.
    let seedBytes: Int
    let hasKASLRSeed: Bool
    var hasDevice: Bool { device != nil }
    /// Bytes virtio-rng delivered so far (32 at start, unless it did not answer in time).
    var deviceBytes: Int { device?.bytesTaken ?? 0 }

    init(tree: DeviceTree, device: VirtioEntropy?) {
        self.device = device
        let randomSeed = try? tree.randomSeed
        seedBytes = randomSeed?.count ?? 0
        let kaslrSeed = try? tree.kaslrSeed
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
        if var source = self.device {
            for _ in 0..<4 { absorb(source.next()) }
            self.device = source
        }
    }

    mutating func next() -> UInt64 {
        counter &+= 1
        if counter % 64 == 0 { refresh() }
        return SipHash(key0: key0, key1: key1).hash(counter, arm_read_cntvct())
    }

    /// New key material: whatever the device already delivered (without waiting) and jitter.
    private mutating func refresh() {
        if var source = device {
            var word: UInt64 = 0
            if withUnsafeMutableBytes(of: &word, { source.take(into: $0) }) > 0 { absorb(word) }
            device = source
        }
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

    /// The counter's low bits around short, data-dependent loops: the host's scheduling and
    /// TCG's timing make them vary, a little, every boot.
    private mutating func absorbJitter(samples: Int) {
        var accumulator: UInt64 = 0
        for sample in 0..<samples {
            let start = arm_read_cntvct()
            var spin = (start & 0xf) + 1
            while spin > 0 { spin -= 1; accumulator = accumulator &* 0x9E37_79B9_7F4A_7C15 &+ arm_read_cntvct() }
            accumulator ^= (arm_read_cntvct() &- start) << UInt64(sample % 56)
        }
        absorb(accumulator)
    }
}

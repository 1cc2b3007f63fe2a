/// The board's entropy: /chosen/rng-seed and kaslr-seed, and A10 timer jitter (Platform's EntropyPool).
import ARMBoot
import Capabilities
import DeviceTree
import Drivers
import Platform

/// Built like qemu-virt's, minus virtio-rng (the A10 has no random-number device this board
/// uses); the timer is the 3 MHz count.
struct CubieboardEntropy: Entropy {
    private var pool: EntropyPool
    var seedBytes: Int { pool.seedBytes }
    var hasKASLRSeed: Bool { pool.hasKASLRSeed }

    init(tree: DeviceTree?) {
        // "Seal-cubieboard1": a domain tag, not a secret.
        pool = EntropyPool(tag: (0x5365_616c_2d63_7562, 0x6965_626f_6172_6431), tree: tree,
                           readCounter: { A10Timer.counts() })
    }

    /// Seeds the pool behind `getentropy` (Swift's hash seeds) with timer jitter at boot: QEMU
    /// puts no rng-seed in this board's device tree, and tables may be made before the app
    /// takes the network.
    static func mixBootJitter() {
        var entropy = CubieboardEntropy(tree: nil)
        seal_entropy_mix(entropy.next())
    }

    mutating func next() -> UInt64 { pool.next() }
}

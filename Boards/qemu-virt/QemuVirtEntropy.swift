/// The board's entropy: virtio-rng when present, /chosen/rng-seed and kaslr-seed, and generic-timer jitter (Platform's EntropyPool).
import ARMBoot
import Capabilities
import DeviceTree
import Drivers
import Platform

struct QemuVirtEntropy: Entropy {
    private var pool: EntropyPool
    private var device: VirtioEntropy?
    var seedBytes: Int { pool.seedBytes }
    var hasKASLRSeed: Bool { pool.hasKASLRSeed }
    var hasDevice: Bool { device != nil }
    /// Bytes virtio-rng delivered so far (32 at start, unless it did not answer in time).
    var deviceBytes: Int { device?.bytesTaken ?? 0 }

    init(tree: DeviceTree, device: VirtioEntropy?) {
        // "Seal-qemu-virt-1": a domain tag, not a secret.
        pool = EntropyPool(tag: (0x5365_616c_2d71_656d, 0x752d_7669_7274_2d31), tree: tree,
                           readCounter: { arm_read_cntvct() })
        self.device = device
        if var source = self.device {
            for _ in 0..<4 { pool.absorb(source.next()) }
            self.device = source
        }
    }

    /// Whatever the device already delivered (without waiting) goes in at each re-key.
    mutating func next() -> UInt64 {
        if pool.wantsMaterial, var source = device {
            var word: UInt64 = 0
            if withUnsafeMutableBytes(of: &word, { source.take(into: $0) }) > 0 { pool.absorb(word) }
            device = source
        }
        return pool.next()
    }
}

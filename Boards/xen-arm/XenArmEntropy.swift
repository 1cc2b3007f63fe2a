/// The board's entropy: /chosen/rng-seed and kaslr-seed where the toolstack put them, and virtual-counter jitter (Platform's EntropyPool). Xen gives a guest no random-number device.
import ARMBoot
import Capabilities
import DeviceTree
import Platform

struct XenArmEntropy: Entropy {
    private var pool: EntropyPool
    var seedBytes: Int { pool.seedBytes }

    init(tree: DeviceTree?) {
        // "Seal-xen-arm-1\0\0": a domain tag, not a secret.
        pool = EntropyPool(tag: (0x5365_616c_2d78_656e, 0x2d61_726d_2d31_0000), tree: tree,
                           readCounter: { arm_read_cntvct() })
    }

    mutating func next() -> UInt64 { pool.next() }
}

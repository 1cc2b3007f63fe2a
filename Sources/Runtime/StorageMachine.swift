/// A machine with a disk: what the storage apps (`site`, `kv`) need beyond the network.
import Capabilities

/// A networked machine that can also hand out its first block device: virtio-blk on
/// qemu-virt, a disk-image file (`disk=PATH`) on `host`.
public protocol StorageMachine: NetworkedMachine {
    associatedtype Disk: BlockDevice

    /// The board's disk, once; nil (after saying why on the console) when it has none.
    mutating func takeDisk() -> Disk?
}

// A virtio device simulated in host memory: reads what the driver offered, writes used entries, and can lie.
@testable import Virtio

/// One descriptor as the device reads it.
struct SeenDescriptor: Equatable {
    var address: UInt64
    var length: UInt32
    var flags: UInt16
    var next: UInt16
}

/// The device's side of one split virtqueue, over the same memory the driver uses.
struct SimulatedDevice {
    let memory: UnsafeMutableRawPointer
    let layout: VirtqueueLayout
    /// The device's own last-seen available index.
    var availableSeen: UInt16 = 0

    init<Barrier>(_ queue: SplitVirtqueue<Barrier>) {
        memory = queue.memory
        layout = queue.layout
    }

    var availableIndex: UInt16 { memory.load(fromByteOffset: layout.availableIndexOffset, as: UInt16.self) }
    var availableFlags: UInt16 { memory.load(fromByteOffset: layout.availableFlagsOffset, as: UInt16.self) }
    var usedIndex: UInt16 {
        get { memory.load(fromByteOffset: layout.usedIndexOffset, as: UInt16.self) }
        nonmutating set { memory.storeBytes(of: newValue, toByteOffset: layout.usedIndexOffset, as: UInt16.self) }
    }

    /// Sets or clears VIRTQ_USED_F_NO_NOTIFY.
    func setNoNotify(_ on: Bool) {
        memory.storeBytes(of: on ? 1 : 0, toByteOffset: layout.usedFlagsOffset, as: UInt16.self)
    }

    func descriptor(_ index: UInt16) -> SeenDescriptor {
        let offset = layout.descriptorOffset(Int(index))
        return SeenDescriptor(address: memory.load(fromByteOffset: offset, as: UInt64.self),
                              length: memory.load(fromByteOffset: offset + 8, as: UInt32.self),
                              flags: memory.load(fromByteOffset: offset + 12, as: UInt16.self),
                              next: memory.load(fromByteOffset: offset + 14, as: UInt16.self))
    }

    /// The next chain the driver published: its head and its descriptors, following `next`.
    mutating func takeAvailable() -> (head: UInt16, chain: [SeenDescriptor])? {
        guard availableSeen != availableIndex else { return nil }
        let head = memory.load(fromByteOffset: layout.availableSlotOffset(layout.slot(availableSeen)), as: UInt16.self)
        availableSeen &+= 1
        var chain = [descriptor(head)]
        while chain.last!.flags & 1 != 0, chain.count <= layout.size { chain.append(descriptor(chain.last!.next)) }
        return (head, chain)
    }

    /// Writes a used entry (any id and length, true or not) and advances the used index.
    func use(identifier: UInt32, length: UInt32) {
        let offset = layout.usedElementOffset(layout.slot(usedIndex))
        memory.storeBytes(of: identifier, toByteOffset: offset, as: UInt32.self)
        memory.storeBytes(of: length, toByteOffset: offset + 4, as: UInt32.self)
        usedIndex &+= 1
    }

    /// Writes `bytes` into a chain's device-writable descriptors, in order; returns the count written.
    func write(_ bytes: [UInt8], into chain: [SeenDescriptor]) -> Int {
        var written = 0
        for descriptor in chain where descriptor.flags & 2 != 0 {
            let target = UnsafeMutableRawPointer(bitPattern: UInt(descriptor.address))!
            let count = min(Int(descriptor.length), bytes.count - written)
            for index in 0..<count { target.storeBytes(of: bytes[written + index], toByteOffset: index, as: UInt8.self) }
            written += count
        }
        return written
    }

    /// The bytes of a chain's device-readable descriptors, concatenated.
    func read(_ chain: [SeenDescriptor]) -> [UInt8] {
        var bytes: [UInt8] = []
        for descriptor in chain where descriptor.flags & 2 == 0 {
            let source = UnsafeRawPointer(bitPattern: UInt(descriptor.address))!
            bytes += UnsafeRawBufferPointer(start: source, count: Int(descriptor.length))
        }
        return bytes
    }
}

/// A fresh queue of `size` over newly allocated, page-aligned memory.
func makeQueue(size: Int) -> SplitVirtqueue<NoBarrier> {
    let layout = VirtqueueLayout(size: size)!
    let memory = UnsafeMutableRawPointer.allocate(byteCount: layout.totalSize, alignment: VirtqueueLayout.legacyAlignment)
    return SplitVirtqueue(layout: layout, memory: memory)
}

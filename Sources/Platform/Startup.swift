/// The boot sequence every ARM board shares once Swift runs: take the device tree, build the final page table, seal the image, size the heap.
import ARMBoot
import DeviceTree

public enum StartupError: Error {
    case noMemoryNode
    case imageOutsideMemory
    case pageTable(TranslationTableError)
}

/// `device_type = "memory"` (Devicetree Specification §3.4).
private func isMemory(_ node: Node) -> Bool {
    guard let type = try? node.property(named: "device_type") else { return false }
    return (try? type.stringBytes)?.equals("memory") ?? false
}

public enum Startup {
    /// The device tree the loader passed in r2, header-checked and fully validated, or nil.
    public static func bootDeviceTree() -> DeviceTree? {
        let address = seal_boot_device_tree
        guard address != 0, let pointer = UnsafeRawPointer(bitPattern: address) else { return nil }
        // The early page table maps 2 MiB from the blob's start (early_mmu.S).
        guard let tree = try? DeviceTree(checkingHeaderAt: pointer, maximumSize: 0x10_0000) else { return nil }
        do { try tree.validate() } catch { return nil }
        seedEntropy(from: tree)
        return tree
    }

    /// Mixes `/chosen/rng-seed` and `kaslr-seed` (QEMU and U-Boot fill them) into the pool
    /// behind `getentropy`, which seeds the hash tables' Hasher before any is made.
    static func seedEntropy(from tree: DeviceTree) {
        EntropyPool.forEachSeedWord(of: tree) { seal_entropy_mix($0) }
    }

    /// Maps every RAM region as normal memory and every device `reg` as device memory (all
    /// execute-never), maps the image page by page (text read-only and executable, rodata
    /// read-only, the rest execute-never), switches to that table, and lets the heap grow up
    /// to the first thing above it that must survive (the device tree, reserved memory).
    ///
    /// `sharedMemory` are windows outside RAM that hold ordinary memory rather than registers (a
    /// Xen guest's grant-table frames and its xenstore and console pages): they are mapped as
    /// normal memory, execute-never, before the devices, so they win where a node's `reg` also names them.
    public static func mapMemory(_ tree: DeviceTree, sharedMemory: [(address: UInt64, size: UInt64)] = []) throws(StartupError) {
        var table = TranslationTable()
        var heapLimit: UInt64 = 0
        let heapStart = UInt64(ImageLayout.heapStart)
        guard let memory = try? tree.memoryRegions else { throw .noMemoryNode }
        for region in memory {
            table.mapSections(start: region.address, size: region.size, .readWrite)
            if region.address <= heapStart && heapStart < region.address &+ region.size {
                heapLimit = min(region.address &+ region.size, 0x1_0000_0000)
            }
        }
        guard heapLimit != 0 else { throw .imageOutsideMemory }
        do { try table.sealImage() } catch { throw .pageTable(error) }
        for window in sharedMemory {
            table.mapSections(start: window.address, size: window.size, .readWrite)
        }
        // Every other `reg` is a device window. Nodes whose addresses do not reach the CPU
        // (CPUs, buses without `ranges`) have nothing to map.
        for node in tree.nodes where !isMemory(node) {
            guard let registers = try? node.registers else { continue }
            for register in registers {
                table.mapSections(start: register.address, size: register.size, .device)
            }
        }
        table.activate()

        func keep(_ start: UInt64, _ size: UInt64) {
            if start >= heapStart && start < heapLimit && size > 0 { heapLimit = start }
        }
        keep(UInt64(seal_boot_device_tree), UInt64(tree.totalSize))
        for reservation in tree.reservations { keep(reservation.address, reservation.size) }
        if let reserved = try? tree.node(atPath: "/reserved-memory") {
            for child in reserved.children {
                guard let registers = try? child.registers else { continue }
                for region in registers { keep(region.address, region.size) }
            }
        }
        seal_heap_limit = UInt(heapLimit & ~0xfff)
    }
}

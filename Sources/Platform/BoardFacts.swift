/// What every ARM board tells its apps from the device tree: the kernel command line and the memory the network stack may use.
import DeviceTree

public struct BoardFacts {
    /// `/chosen/bootargs`, a slice of the device tree (which lies outside the heap for the
    /// whole run), or empty.
    public let commandLine: UnsafeRawBufferPointer
    /// The RAM every memory node describes.
    public let ramBytes: UInt64

    public init(_ tree: DeviceTree) {
        commandLine = (try? tree.bootArguments) ?? UnsafeRawBufferPointer(start: nil, count: 0)
        var ram: UInt64 = 0
        if let regions = try? tree.memoryRegions {
            for region in regions { ram &+= region.size }
        }
        ramBytes = ram
    }

    /// The network stack's share of RAM: an eighth (1 MiB of 8 MiB, 16 MiB of 128 MiB),
    /// leaving the rest to the image, the app's own pools and the heap.
    public var networkMemoryBudget: Int { Int(truncatingIfNeeded: Swift.min(ramBytes, 1 << 31) / 8) }
}

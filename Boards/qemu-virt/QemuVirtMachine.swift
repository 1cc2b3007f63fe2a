/// The qemu-virt machine an app sees: PL011 console, generic-timer event loop, the live device tree, and virtio networking on request.
import ARMBoot
import Capabilities
import DeviceTree
import Drivers
import Platform
import Runtime

/// The board's limits, in one place.
enum QemuVirtLimits {
    /// virtio-net pool buffers (1536 bytes each), also the preferred queue sizes.
    static let receiveBuffers = 128
    static let transmitBuffers = 64
    /// virtio-rng buffers kept with the device, and their size.
    static let entropyBuffers = 4
    static let entropyBufferSize = 64
}

struct QemuVirt: StorageMachine {
    var console: PL011
    let loop: EventLoop<GenericTimer>
    let deviceTree: DeviceTree?
    let isSealed: Bool
    /// `/chosen/bootargs`, a slice of the device tree (which lies outside the heap for the whole run).
    let commandLine: UnsafeRawBufferPointer
    /// An eighth of the RAM the device tree's memory nodes describe (`BoardFacts`).
    let networkMemoryBudget: Int
    var interruptController: GICv2
    private var networkTaken = false
    private var diskTaken = false

    init(console: PL011, loop: EventLoop<GenericTimer>, deviceTree: DeviceTree, interruptController: GICv2) {
        self.console = console
        self.loop = loop
        self.deviceTree = deviceTree
        self.interruptController = interruptController
        isSealed = SealCheck.isSealed()
        let facts = BoardFacts(deviceTree)
        commandLine = facts.commandLine
        networkMemoryBudget = facts.networkMemoryBudget
    }

    func exit(status: Int) -> Never { halt(status: status) }

    /// Finds the virtio-mmio devices, starts the first network and entropy devices, and
    /// routes the network device's interrupt so that it ends the event loop's `wfi`.
    mutating func takeNetwork() -> (VirtioNet, QemuVirtEntropy)? {
        guard !networkTaken, let tree = deviceTree else { return nil }
        networkTaken = true
        let devices = VirtioDevices(tree)
        var random: VirtioEntropy? = nil
        if let found = devices.entropy {
            random = VirtioEntropy(transport: found.transport, bufferCount: QemuVirtLimits.entropyBuffers,
                                   bufferSize: QemuVirtLimits.entropyBufferSize)
            report("virtio-rng", found.transport, started: random != nil)
        }
        var entropy = QemuVirtEntropy(tree: tree, device: random)
        // Hash tables made from now on get seeds from the device too.
        seal_entropy_mix(entropy.next())
        console.write("entropy: ")
        if entropy.hasDevice {
            console.write("virtio-rng ")
            console.write(decimal: entropy.deviceBytes)
            console.write(" bytes, ")
        }
        console.write("rng-seed ")
        console.write(decimal: entropy.seedBytes)
        console.write(entropy.hasKASLRSeed ? " bytes, kaslr-seed, " : " bytes, ")
        console.writeLine("timer jitter")
        guard let found = devices.network else {
            console.writeLine("qemu-virt: no virtio-net device")
            return nil
        }
        guard let interrupt = gicInterruptNumber(found.node, index: 0) else {
            console.writeLine("qemu-virt: virtio-net without a usable interrupt")
            return nil
        }
        // Used only when the device has no MAC of its own: locally administered, unicast.
        let fallback = MACAddress(rawValue: (entropy.next() & 0xfeff_ffff_ffff) | 0x0200_0000_0000)
        let network = VirtioNet(transport: found.transport, receiveBuffers: QemuVirtLimits.receiveBuffers,
                                transmitBuffers: QemuVirtLimits.transmitBuffers, fallbackAddress: fallback)
        report("virtio-net", found.transport, started: network != nil)
        guard let network else { return nil }
        VirtioInterrupts.register(found.transport, interrupt: interrupt)
        InterruptHandlers.register(interrupt, VirtioInterrupts.handler)
        interruptController.enable(interrupt)
        console.write("virtio-net: mac ")
        for index in 0..<6 {
            if index > 0 { console.write(":") }
            console.write(hex: UInt64(network.macAddress[index]), width: 2)
        }
        console.write(", irq ")
        console.write(decimal: Int(interrupt))
        console.write(", header ")
        console.write(decimal: network.headerLength)
        console.writeLine(network.separatesHeader ? " bytes in its own descriptor" : " bytes")
        return (network, entropy)
    }

    /// Starts the first virtio-blk device, its interrupt routed so that a request's wait ends
    /// in `wfi` instead of spinning.
    mutating func takeDisk() -> VirtioBlock? {
        guard !diskTaken, let tree = deviceTree else { return nil }
        diskTaken = true
        guard let found = VirtioDevices(tree).block else {
            console.writeLine("qemu-virt: no virtio-blk device")
            return nil
        }
        var wired = false
        if let interrupt = gicInterruptNumber(found.node, index: 0) {
            VirtioInterrupts.register(found.transport, interrupt: interrupt)
            InterruptHandlers.register(interrupt, VirtioInterrupts.handler)
            interruptController.enable(interrupt)
            wired = true
        }
        let disk = VirtioBlock.start(transport: found.transport, clock: loop.clock, waitsForInterrupts: wired)
        report("virtio-blk", found.transport, started: disk != nil)
        guard let disk else { return nil }
        console.write("virtio-blk: ")
        console.write(decimal: disk.sectorCount)
        console.write(" sectors of ")
        console.write(decimal: disk.sectorSize)
        console.write(" bytes")
        if disk.isReadOnly { console.write(", read-only") }
        console.writeLine(disk.hasFlush ? ", flush" : ", no flush (writethrough)")
        return disk
    }

    /// `NAME: mmio 0x… version N (legacy|modern)`, or that it failed to start.
    private mutating func report(_ name: StaticString, _ transport: VirtioMMIO, started: Bool) {
        console.write(name)
        console.write(": mmio 0x")
        console.write(hex: UInt64(transport.base), width: 8)
        console.write(transport.isLegacy ? " version 1 (legacy)" : " version 2 (modern)")
        console.writeLine(started ? "" : ", failed to start")
    }
}

/// The cubieboard machine an app sees: 16550 console, A10-timer event loop, the live device tree, the EMAC and the SD card on request.
import ARMBoot
import Capabilities
import DeviceTree
import Drivers
import Platform
import Runtime

struct Cubieboard: StorageMachine {
    typealias Disk = SunxiMMC

    var console: UART16550
    let loop: EventLoop<A10Timer>
    let deviceTree: DeviceTree?
    let isSealed: Bool
    /// `/chosen/bootargs`, a slice of the device tree (which lies outside the heap for the whole run).
    let commandLine: UnsafeRawBufferPointer
    let networkMemoryBudget: Int
    var interruptController: A10InterruptController
    private var networkTaken = false
    private var diskTaken = false

    init(console: UART16550, loop: EventLoop<A10Timer>, deviceTree: DeviceTree, interruptController: A10InterruptController) {
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

    /// Starts the EMAC the device tree lists, with the entropy source, and routes its
    /// interrupt so that a frame ends the event loop's `wfi`.
    mutating func takeNetwork() -> (SunxiEMAC, CubieboardEntropy)? {
        guard !networkTaken, let tree = deviceTree else { return nil }
        networkTaken = true
        var entropy = CubieboardEntropy(tree: tree)
        // Hash tables made from now on get seeds from the jitter too.
        seal_entropy_mix(entropy.next())
        console.write("entropy: rng-seed ")
        console.write(decimal: entropy.seedBytes)
        console.write(entropy.hasKASLRSeed ? " bytes, kaslr-seed, " : " bytes, ")
        console.writeLine("timer jitter")

        guard let node = try? tree.firstNode(compatibleWith: "allwinner,sun4i-a10-emac"), (try? node.isEnabled) ?? false,
              let base = registerBase(node) else {
            console.writeLine("cubieboard: no enabled allwinner,sun4i-a10-emac")
            return nil
        }
        guard let interrupt = interruptNumber(node, index: 0) else {
            console.writeLine("cubieboard: EMAC without a usable interrupt")
            return nil
        }
        let (address, origin) = macAddress(tree, emac: node, entropy: &entropy)
        let phy = phyAddress(tree, emac: node) ?? 1   // Cubieboard's RTL8201 strap, when the tree names none
        let network = SunxiEMAC(base: base, macAddress: address, phyAddress: phy)
        InterruptHandlers.register(interrupt, SunxiEMAC.interruptHandler)
        interruptController.enable(interrupt)

        console.write("emac: mmio 0x")
        console.write(hex: UInt64(base), width: 8)
        console.write(", mac ")
        for index in 0..<6 {
            if index > 0 { console.write(":") }
            console.write(hex: UInt64(network.macAddress[index]), width: 2)
        }
        console.write(" (")
        console.write(origin)
        console.write("), irq ")
        console.write(decimal: Int(interrupt))
        console.write(", phy ")
        console.write(decimal: Int(phy))
        if let identifier = network.phyIdentifier {
            console.write(" id 0x")
            console.write(hex: UInt64(identifier), width: 8)
            console.writeLine(network.isLinkUp ? ", link up" : ", link down")
        } else {
            console.writeLine(" not answering")
        }
        return (network, entropy)
    }

    /// The MAC: the device tree's (U-Boot fills it from its `ethaddr`), else one derived from
    /// the SoC's chip id (stable for the board), else a random locally administered one.
    private func macAddress(_ tree: DeviceTree, emac: Node, entropy: inout CubieboardEntropy) -> (MACAddress, StaticString) {
        if let address = deviceTreeMACAddress(emac) { return (address, "device tree") }
        if let identifier = chipIdentifier(tree) {
            return (MACAddress(rawValue: (identifier & 0xfeff_ffff_ffff) | 0x0200_0000_0000), "chip id")
        }
        return (MACAddress(rawValue: (entropy.next() & 0xfeff_ffff_ffff) | 0x0200_0000_0000), "random")
    }

    /// The A10's security id (`allwinner,sun4i-a10-sid`, 128 bits of e-fuse) folded to 64
    /// bits, or nil when it reads as zero (QEMU does not model it).
    private func chipIdentifier(_ tree: DeviceTree) -> UInt64? {
        guard let node = try? tree.firstNode(compatibleWith: "allwinner,sun4i-a10-sid"),
              let base = registerBase(node) else { return nil }
        var words: [UInt32] = []
        for index in 0..<4 { words.append(Register32(base + UInt(4 * index)).read()) }
        guard words.contains(where: { $0 != 0 }) else { return nil }
        var folded: UInt64 = 0xcbf2_9ce4_8422_2325
        for word in words { folded = (folded ^ UInt64(word)) &* 0x0000_0100_0000_01b3 }
        return folded
    }

    /// Starts the SD host the device tree lists (`allwinner,sun4i-a10-mmc`, the first
    /// enabled one) and identifies the card in its slot. Requests are polled with deadlines
    /// on the A10 timer; the controller's interrupt is left off.
    mutating func takeDisk() -> SunxiMMC? {
        guard !diskTaken, let tree = deviceTree else { return nil }
        diskTaken = true
        var found: Node? = nil
        for node in tree.nodes(compatibleWith: "allwinner,sun4i-a10-mmc") where (try? node.isEnabled) ?? false {
            found = node
            break
        }
        guard let node = found, let base = registerBase(node) else {
            console.writeLine("cubieboard: no enabled allwinner,sun4i-a10-mmc")
            return nil
        }
        // The clock controller, so the driver can gate the SD clock on (firmware may not have).
        let clockController = (try? tree.firstNode(compatibleWith: "allwinner,sun4i-a10-ccu")).flatMap { $0 }.flatMap(registerBase)
        let clock = loop.clock
        var failure: BlockError? = nil
        let disk = SunxiMMC.start(base: base, clockNanoseconds: { clock.now().nanoseconds }, clockControllerBase: clockController,
                                  fourBitBus: cellProperty(node, "bus-width") == 4, transferHertz: 24_000_000, failure: &failure)
        console.write("mmc: mmio 0x")
        console.write(hex: UInt64(base), width: 8)
        if let interrupt = interruptNumber(node, index: 0) {
            console.write(", irq ")
            console.write(decimal: Int(interrupt))
        }
        guard let disk else {
            console.write(", no usable card (")
            console.write(Self.reason(failure))
            console.writeLine(")")
            return nil
        }
        console.write(", ")
        console.write(decimal: disk.sectorCount)
        console.write(" sectors of ")
        console.write(decimal: disk.sectorSize)
        console.write(disk.isHighCapacity ? " bytes, high capacity, " : " bytes, standard capacity, ")
        console.write(decimal: disk.busWidth)
        console.write("-bit bus at ")
        console.write(decimal: Int(disk.clockHertz / 1_000_000))
        console.writeLine(disk.isReadOnly ? " MHz, read-only" : " MHz")
        return disk
    }

    private static func reason(_ failure: BlockError?) -> StaticString {
        switch failure {
        case .timeout: return "timeout: empty slot?"
        case .deviceError: return "device error"
        case .protocolViolation: return "protocol violation"
        case .unsupported: return "unsupported card"
        case .outOfRange, .misaligned, .readOnly: return "bad request"
        case nil: return "unknown"
        }
    }
}

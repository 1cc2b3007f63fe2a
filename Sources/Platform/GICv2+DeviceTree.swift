/// Finding the GICv2 in a device tree (Linux's arm,gic binding: the distributor and CPU interface are the first two `reg` entries) and serving the IRQ vector with it.
import DeviceTree

extension GICv2 {
    /// The first `arm,cortex-a15-gic` or `arm,gic-400` node's controller, or nil.
    public init?(deviceTree tree: DeviceTree) {
        guard let node = (try? tree.firstNode(compatibleWith: "arm,cortex-a15-gic")) ?? (try? tree.firstNode(compatibleWith: "arm,gic-400")),
              let registers = try? node.registers, registers.count >= 2,
              let distributor = try? registers.range(at: 0), let cpuInterface = try? registers.range(at: 1) else { return nil }
        self.init(distributor: UInt(distributor.address), cpuInterface: UInt(cpuInterface.address))
    }

    /// What the IRQ vector runs: acknowledge each pending interrupt, dispatch it to its handler
    /// (disabling one nobody registered), signal its end.
    public mutating func serviceInterrupts() {
        while let interrupt = acknowledge() {
            if !InterruptHandlers.dispatch(interrupt & 0x3ff) { disable(interrupt & 0x3ff) }
            endOfInterrupt(interrupt)
        }
    }
}

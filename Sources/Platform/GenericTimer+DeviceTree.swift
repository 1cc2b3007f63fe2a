/// Finding the architected timer in a device tree (Linux's arm,armv7-timer binding) and its virtual timer's interrupt.
import DeviceTree

extension GenericTimer {
    /// The timer and its virtual timer's interrupt (the third of the binding's interrupts:
    /// secure physical, non-secure physical, virtual, hypervisor), or nil.
    public static func virtualTimer(in tree: DeviceTree) -> (timer: GenericTimer, interrupt: InterruptNumber)? {
        guard let node = try? tree.firstNode(compatibleWith: "arm,armv7-timer"),
              let interrupt = gicInterruptNumber(node, index: 2) else { return nil }
        let frequency = UInt64((try? node.property(named: "clock-frequency")?.u32) ?? 0)
        return (GenericTimer(frequency: frequency), interrupt)
    }
}

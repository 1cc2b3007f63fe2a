/// What the device tree's `/hypervisor` node says (Linux's xen,xen binding): the grant-table window and the event upcall interrupt.
import DeviceTree
import Platform

struct HypervisorNode {
    /// Where the guest may map grant-table frames (the node's first `reg`).
    let grantWindow: (address: UInt64, size: UInt64)
    /// The PPI Xen raises when `evtchn_upcall_pending` goes to 1 (the node's `interrupts`).
    let upcallInterrupt: InterruptNumber

    /// Nil when the node is missing (not a Xen guest, or a dom0less guest without `xen,enhanced`),
    /// is not `xen,xen`, or lacks its window or interrupt.
    init?(_ tree: DeviceTree) {
        guard let node = try? tree.node(atPath: "/hypervisor"), (try? node.isCompatible(with: "xen,xen")) == true,
              let register = (try? node.registers)?.first(where: { _ in true }), register.size >= 0x1000,
              let interrupt = gicInterruptNumber(node, index: 0) else { return nil }
        grantWindow = (register.address, register.size)
        upcallInterrupt = interrupt
    }
}

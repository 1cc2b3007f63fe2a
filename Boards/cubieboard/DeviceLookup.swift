/// What the board reads from device-tree nodes: register bases, one-cell A10 interrupt numbers, clock rates, MAC addresses, the console.
import Capabilities
import DeviceTree
import Drivers
import Platform

/// The CPU address of a node's first `reg` entry.
func registerBase(_ node: Node) -> UInt? {
    guard let register = (try? node.registers)?.first(where: { _ in true }), register.address < 0x1_0000_0000 else { return nil }
    return UInt(register.address)
}

/// The A10 interrupt controller's one-cell specifier `index` of a node (binding allwinner,sun4i-a10-ic).
func interruptNumber(_ node: Node, index: Int) -> InterruptNumber? {
    guard let interrupts = try? node.interrupts else { return nil }
    var specifiers = interrupts.makeIterator()
    for _ in 0..<index { _ = specifiers.next() }
    guard let number = specifiers.next()?.cells[0], number < A10InterruptController.sourceCount else { return nil }
    return number
}

/// A one-cell property, or nil.
func cellProperty(_ node: Node, _ name: StaticString) -> UInt32? {
    guard let property = try? node.property(named: name) else { return nil }
    return try? property.u32
}

/// The rate of the first clock in a node's `clocks` when that clock is a fixed one with
/// `clock-frequency` (the A10 timer's clock is the 24 MHz crystal, `osc24M`).
func firstClockFrequency(_ tree: DeviceTree, _ node: Node) -> UInt64? {
    guard let clocks = try? node.property(named: "clocks"), let phandle = clocks.cells[0],
          let clock = try? tree.node(withPhandle: phandle), let rate = cellProperty(clock, "clock-frequency"),
          rate > 0 else { return nil }
    return UInt64(rate)
}

/// The console: `/chosen/stdout-path` (through its alias), else the first DesignWare or 16550 UART.
func consoleNode(_ tree: DeviceTree) -> Node? {
    if let output = try? tree.standardOutput { return output.node }
    if let node = try? tree.firstNode(compatibleWith: "snps,dw-apb-uart") { return node }
    return try? tree.firstNode(compatibleWith: "ns16550a")
}

/// `local-mac-address` or `mac-address` (what U-Boot fills in), when six bytes and a usable unicast address.
func deviceTreeMACAddress(_ node: Node) -> MACAddress? {
    for name: StaticString in ["local-mac-address", "mac-address"] {
        guard let property = try? node.property(named: name), property.bytes.count == 6 else { continue }
        let address = MACAddress(bytes: property.bytes, at: 0)
        if address != .zero, !address.isMulticast { return address }
    }
    return nil
}

/// The EMAC's PHY address: `reg` of the node its `phy-handle` points at.
func phyAddress(_ tree: DeviceTree, emac: Node) -> UInt32? {
    guard let handle = (try? emac.property(named: "phy-handle")).flatMap({ $0 }).flatMap({ $0.cells[0] }),
          let phy = try? tree.node(withPhandle: handle), let address = cellProperty(phy, "reg"), address < 32 else { return nil }
    return address
}

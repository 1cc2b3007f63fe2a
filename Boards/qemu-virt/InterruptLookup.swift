/// A node's interrupt as the GIC numbers it, from its `interrupts` property.
import DeviceTree
import Platform

/// The GIC interrupt id of a node's `interrupts` entry `index` (three cells: type, number, flags).
func interruptNumber(_ node: Node, index: Int) -> InterruptNumber? {
    guard let interrupts = try? node.interrupts else { return nil }
    var specifiers = interrupts.makeIterator()
    for _ in 0..<index { _ = specifiers.next() }
    guard let cells = specifiers.next()?.cells, let type = cells[0], let number = cells[1] else { return nil }
    return GICv2.interruptNumber(type: type, number: number)
}

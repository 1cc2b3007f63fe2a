/// A node's interrupt as the GIC numbers it, from its `interrupts` property (three cells: type, number, flags).
import DeviceTree

/// The GIC interrupt id of `node`'s `interrupts` entry `index` (Linux's arm,gic binding: SPI or PPI,
/// number, flags), or nil when the entry is missing or malformed.
public func gicInterruptNumber(_ node: Node, index: Int) -> InterruptNumber? {
    guard let interrupts = try? node.interrupts else { return nil }
    var specifiers = interrupts.makeIterator()
    for _ in 0..<index { _ = specifiers.next() }
    guard let cells = specifiers.next()?.cells, let type = cells[0], let number = cells[1] else { return nil }
    return GICv2.interruptNumber(type: type, number: number)
}

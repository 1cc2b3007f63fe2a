// Exercise: runs every accessor and sequence of a tree, valid or not, discarding the results;
// the tests call it on broken blobs to show that nothing traps or hangs.
import DeviceTree

/// Touches everything; returns a count so the work is not optimised away.
@discardableResult
func exerciseEverything(_ tree: DeviceTree) -> Int {
    var touched = 0
    _ = try? tree.validate()
    _ = try? tree.reservationCount()
    for reservation in tree.reservations { touched &+= Int(truncatingIfNeeded: reservation.size) }
    _ = try? tree.root
    for node in tree.nodes {
        touched &+= node.name.count + node.baseName.count + node.unitAddress.count + node.offset + node.depth
        for property in node.properties {
            touched &+= property.name.count + property.bytes.count
            _ = try? property.u32
            _ = try? property.u64
            _ = try? property.stringBytes
            for string in property.strings { touched &+= string.count }
            for cell in property.cells { touched &+= Int(cell & 1) }
            touched &+= property.strings.count + property.cells.count
            _ = property.cells[1]
            _ = property.contains(string: "okay")
        }
        for child in node.children { touched &+= child.offset }
        _ = try? node.parent
        _ = try? node.addressCells
        _ = try? node.sizeCells
        _ = try? node.phandle
        _ = try? node.isEnabled
        _ = try? node.isCompatible(with: "virtio,mmio")
        _ = try? node.child(named: "cpu")
        _ = try? node.property(named: "reg")
        _ = try? node.interruptCells
        _ = try? node.interruptParent
        _ = try? node.translate(childAddress: 0x1000)
        if let registers = try? node.registers {
            for range in registers { touched &+= Int(truncatingIfNeeded: range.address) }
        }
        if let interrupts = try? node.interrupts {
            for specifier in interrupts {
                touched &+= specifier.controller.offset
                for cell in specifier.cells { touched &+= Int(cell & 1) }
            }
            touched &+= interrupts.count
        }
    }
    for path: StaticString in ["/", "/chosen", "/cpus/cpu@0", "/soc/serial@1000", "memory", "serial0", "serial0/x", "//soc//", "relative", ""] {
        _ = try? tree.node(atPath: path)
    }
    for phandle: UInt32 in [0, 1, 2, 3, 0x8000, 0x8001, 0x8002, 0xffff_ffff] {
        _ = try? tree.node(withPhandle: phandle)
    }
    _ = try? tree.firstNode(compatibleWith: "arm,pl011")
    for node in tree.nodes(compatibleWith: "virtio,mmio") { touched &+= node.offset }
    _ = try? tree.chosen
    _ = try? tree.bootArguments
    _ = try? tree.standardOutput
    _ = try? tree.randomSeed
    _ = try? tree.kaslrSeed
    _ = try? tree.model
    _ = try? tree.cpuCount
    _ = try? tree.psciMethod
    if let regions = try? tree.memoryRegions {
        for region in regions { touched &+= Int(truncatingIfNeeded: region.size) }
    }
    return touched
}

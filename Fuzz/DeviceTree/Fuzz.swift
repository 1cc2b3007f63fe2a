// Fuzz: libFuzzer entry for DeviceTree: header check, validate(), then every accessor and
// sequence whether or not the blob validated. Any trap, hang or out-of-bounds read is a bug.
// Run: toolchain/fuzz.sh DeviceTree 60
import DeviceTree

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let buffer = UnsafeRawBufferPointer(start: data, count: size)
    // Both initialisers, so the pointer path (the board's r2) is covered too.
    _ = try? DeviceTree(checkingHeaderAt: UnsafeRawPointer(data), maximumSize: size)
    guard let tree = try? DeviceTree(checkingHeader: buffer) else { return 0 }
    let valid = (try? tree.validate()) != nil
    let touched = exercise(tree)
    if valid {
        // A validated tree's sequences run to their natural end: every node the walk yields
        // has a parent the walk also yielded, and every property has a resolvable name.
        var count = 0
        for node in tree.nodes {
            count += 1
            if node.depth > 0, (try? node.parent) == nil { fatalError("validated tree: parent lookup failed") }
            for property in node.properties where property.name.count > tree.stringsBlock.count {
                fatalError("validated tree: property name longer than the strings block")
            }
        }
        if count == 0 { fatalError("validated tree without nodes") }
        if (try? tree.reservationCount()) == nil { fatalError("validated tree: reservations unterminated") }
    }
    return touched == Int.min ? 1 : 0
}

/// Touches everything; errors are expected and ignored.
func exercise(_ tree: DeviceTree) -> Int {
    var touched = 0
    _ = try? tree.reservationCount()
    for reservation in tree.reservations { touched &+= Int(truncatingIfNeeded: reservation.size) }
    _ = try? tree.root
    for node in tree.nodes {
        touched &+= node.name.count &+ node.baseName.count &+ node.unitAddress.count &+ node.offset &+ node.depth
        for property in node.properties {
            touched &+= property.name.count &+ property.bytes.count
            _ = try? property.u32
            _ = try? property.u64
            _ = try? property.stringBytes
            for string in property.strings { touched &+= string.count }
            for cell in property.cells { touched &+= Int(cell & 1) }
            _ = property.cells[2]
            _ = property.contains(string: "okay")
        }
        for child in node.children { touched &+= child.offset }
        _ = try? node.parent
        _ = try? node.addressCells
        _ = try? node.sizeCells
        _ = try? node.phandle
        _ = try? node.isEnabled
        _ = try? node.isCompatible(with: "virtio,mmio")
        _ = try? node.child(named: "a")
        _ = try? node.interruptCells
        _ = try? node.interruptParent
        _ = try? node.translate(childAddress: 0x1000)
        if let registers = try? node.registers {
            for range in registers { touched &+= Int(truncatingIfNeeded: range.address) }
            if registers.count > 0 { _ = try? registers.busRange(at: 0) }
        }
        if let interrupts = try? node.interrupts {
            for specifier in interrupts {
                touched &+= specifier.controller.offset
                for cell in specifier.cells { touched &+= Int(cell & 1) }
            }
        }
    }
    for path: StaticString in ["/", "/chosen", "/a", "/a/b@1", "a", "a/b", "//a//", "memory", ""] {
        _ = try? tree.node(atPath: path)
    }
    for phandle: UInt32 in [0, 1, 2, 0x8000, 0xffff_ffff] { _ = try? tree.node(withPhandle: phandle) }
    _ = try? tree.firstNode(compatibleWith: "a")
    for node in tree.nodes(compatibleWith: "a") { touched &+= node.offset }
    _ = try? tree.chosen
    _ = try? tree.bootArguments
    if let console = try? tree.standardOutput { touched &+= console.options.count }
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

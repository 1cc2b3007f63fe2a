// InterruptTests: interrupt-parent chains, `interrupts`, `interrupts-extended` and loops (board.dts, QEMU).
import DeviceTree
import XCTest

final class InterruptTests: XCTestCase {
    var blob: Blob!
    var tree: DeviceTree!

    override func setUpWithError() throws {
        blob = try Fixture.blob("board")
        tree = try blob.tree()
        try tree.validate()
    }

    func node(_ path: StaticString) throws -> Node {
        try XCTUnwrap(tree.node(atPath: path), "\(path)")
    }

    func specifiers(_ path: StaticString) throws -> [(controller: String, cells: [UInt32])] {
        try Array(node(path).interrupts).map { (text($0.controller.name)!, Array($0.cells)) }
    }

    func testParentFoundThroughTreeParentsAndTheRoot() throws {
        // serial → soc (no #interrupt-cells) → root's interrupt-parent → gic.
        let gic = try node("/interrupt-controller@1000000")
        XCTAssertEqual(try node("/soc/serial@1000").interruptParent, gic)
        XCTAssertEqual(try gic.interruptCells, 3)
        let result = try specifiers("/soc/serial@1000")
        XCTAssertEqual(result.map(\.controller), ["interrupt-controller@1000000"])
        XCTAssertEqual(result.map(\.cells), [[0, 1, 4]])
    }

    func testExplicitInterruptParent() throws {
        let result = try specifiers("/soc/ethernet@3000")
        XCTAssertEqual(result.map(\.controller), ["interrupt-controller@4000", "interrupt-controller@4000"])
        XCTAssertEqual(result.map(\.cells), [[5], [6]])
        XCTAssertEqual(try node("/soc/ethernet@3000").interrupts.count, 2)
    }

    func testChainedControllerRoutesToTheGIC() throws {
        XCTAssertEqual(try specifiers("/soc/interrupt-controller@4000").map(\.cells), [[0, 9, 4]])
    }

    func testParentChainThroughANodeWithoutInterruptCells() throws {
        // chained → router (no #interrupt-cells) → router's interrupt-parent → intc.
        let result = try specifiers("/soc/chained@6000")
        XCTAssertEqual(result.map(\.controller), ["interrupt-controller@4000"])
        XCTAssertEqual(result.map(\.cells), [[11]])
    }

    func testInterruptsExtended() throws {
        let result = try specifiers("/soc/timer@5000")
        XCTAssertEqual(result.map(\.controller), ["interrupt-controller@1000000", "interrupt-controller@4000"])
        XCTAssertEqual(result.map(\.cells), [[1, 13, 0xf08], [7]])
    }

    func testInterruptParentLoopIsAnError() throws {
        let device = try node("/looping-device")
        XCTAssertThrows(.referenceLoop) { () throws(DeviceTreeError) in try device.interruptParent }
        XCTAssertThrows(.referenceLoop) { () throws(DeviceTreeError) in try device.interrupts }
    }

    func testDanglingInterruptParent() throws {
        let device = try node("/dangling-device")
        XCTAssertThrows(.unresolvedPhandle) { () throws(DeviceTreeError) in try device.interrupts }
    }

    func testNodesWithoutInterrupts() throws {
        XCTAssertEqual(try node("/lists").interrupts.count, 0)
        XCTAssertNil(try node("/lists").interruptCells)
    }

    func testMalformedInterrupts() throws {
        var builder = BlobBuilder()
        builder.beginNode("")
        builder.beginNode("gic")
        builder.property("#interrupt-cells", cells: [3])
        builder.property("phandle", cells: [1])
        builder.endNode()
        builder.beginNode("short")
        builder.property("interrupt-parent", cells: [1])
        builder.property("interrupts", cells: [0, 1])
        builder.endNode()
        builder.beginNode("extended-short")
        builder.property("interrupts-extended", cells: [1, 0, 1])
        builder.endNode()
        builder.beginNode("extended-dangling")
        builder.property("interrupts-extended", cells: [9, 0, 1, 2])
        builder.endNode()
        builder.beginNode("orphan")
        builder.property("interrupts", cells: [1])
        builder.endNode()
        builder.endNode()
        builder.end()
        let blob = Blob(builder.build())
        let tree = try blob.tree()
        try tree.validate()
        for (path, error): (StaticString, DeviceTreeError) in [
            ("/short", .badPropertyLength), ("/extended-short", .badPropertyLength),
            ("/extended-dangling", .unresolvedPhandle), ("/orphan", .badPropertyValue),
        ] {
            let node = try XCTUnwrap(tree.node(atPath: path))
            XCTAssertThrows(error) { () throws(DeviceTreeError) in try node.interrupts }
        }
    }

    func testQEMUVirtInterrupts() throws {
        let qemu = try Fixture.blob("qemu-virt")
        let tree = try qemu.tree()
        let uart = try XCTUnwrap(tree.firstNode(compatibleWith: "arm,pl011"))
        let interrupts = Array(try uart.interrupts)
        XCTAssertEqual(interrupts.count, 1)
        XCTAssertTrue(try interrupts[0].controller.isCompatible(with: "arm,cortex-a15-gic"))
        XCTAssertEqual(Array(interrupts[0].cells), [0, 1, 4])
        let timer = try XCTUnwrap(tree.firstNode(compatibleWith: "arm,armv7-timer"))
        XCTAssertEqual(try timer.interrupts.map { Array($0.cells) },
                       [[1, 0xd, 0x104], [1, 0xe, 0x104], [1, 0xb, 0x104], [1, 0xa, 0x104]])
        var virtioInterrupts: [UInt32] = []
        for transport in tree.nodes(compatibleWith: "virtio,mmio") {
            for specifier in try transport.interrupts { virtioInterrupts.append(specifier.cells[1]!) }
        }
        XCTAssertEqual(virtioInterrupts, Array(0x10..<0x30))
    }
}

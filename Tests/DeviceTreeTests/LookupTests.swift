// LookupTests: paths, aliases, phandles, compatible matching and property values on board.dts.
import DeviceTree
import XCTest

final class LookupTests: XCTestCase {
    var blob: Blob!
    var tree: DeviceTree!

    override func setUpWithError() throws {
        blob = try Fixture.blob("board")
        tree = try blob.tree()
        try tree.validate()
    }

    func path(_ node: Node?) throws -> String? {
        guard var node else { return nil }
        var components: [String] = []
        while let parent = try node.parent {
            components.insert(text(node.name)!, at: 0)
            node = parent
        }
        return "/" + components.joined(separator: "/")
    }

    func testAbsolutePaths() throws {
        XCTAssertEqual(try path(tree.node(atPath: "/")), "/")
        XCTAssertEqual(try path(tree.node(atPath: "/soc/serial@1000")), "/soc/serial@1000")
        XCTAssertEqual(try path(tree.node(atPath: "//soc///serial@2000/")), "/soc/serial@2000")
        // A component without a unit address matches the first node with that name.
        XCTAssertEqual(try path(tree.node(atPath: "/soc/serial")), "/soc/serial@1000")
        XCTAssertEqual(try path(tree.node(atPath: "/memory")), "/memory@80000000")
        XCTAssertNil(try tree.node(atPath: "/soc/serial@1000/missing"))
        XCTAssertNil(try tree.node(atPath: "/soc/serial@3000"))
        XCTAssertNil(try tree.node(atPath: "/so"))
        XCTAssertNil(try tree.node(atPath: ""))
    }

    func testAliases() throws {
        XCTAssertEqual(try path(tree.node(atPath: "serial0")), "/soc/serial@1000")
        XCTAssertEqual(try path(tree.node(atPath: "serial1")), "/soc/serial@2000")
        XCTAssertEqual(try path(tree.node(atPath: "ethernet0/mdio/phy@1")), "/soc/ethernet@3000/mdio/phy@1")
        XCTAssertNil(try tree.node(atPath: "serial7"))
        let name = Array("serial1".utf8)
        XCTAssertEqual(try name.withUnsafeBytes { try text(tree.alias(named: $0)) }, "/soc/serial@2000")
        // An alias may name another alias (libfdt and Linux follow it); a circle is an error.
        XCTAssertEqual(try path(tree.node(atPath: "relative")), "/soc/serial@1000")
        XCTAssertThrows(.referenceLoop) { () throws(DeviceTreeError) in try tree.node(atPath: "loop1/x") }
    }

    func testBytePathsFromTheBlob() throws {
        // The board passes paths that are slices of the blob, like stdout-path.
        let alias = try tree.node(atPath: "/aliases")!.property(named: "serial1")!
        let node = try tree.node(atPath: alias.stringBytes)
        XCTAssertEqual(try path(node), "/soc/serial@2000")
    }

    func testPhandles() throws {
        let gic = try XCTUnwrap(tree.node(atPath: "/interrupt-controller@1000000"))
        let phandle = try XCTUnwrap(gic.phandle)
        XCTAssertEqual(try tree.node(withPhandle: phandle), gic)
        XCTAssertNil(try tree.node(withPhandle: 0))
        XCTAssertNil(try tree.node(withPhandle: 0xffff_ffff))
        XCTAssertNil(try tree.node(withPhandle: 0x4242))
        XCTAssertEqual(try tree.root.property(named: "interrupt-parent")?.u32, phandle)
    }

    func testCompatible() throws {
        XCTAssertEqual(try path(tree.firstNode(compatibleWith: "arm,pl011")), "/soc/serial@1000")
        XCTAssertEqual(try path(tree.firstNode(compatibleWith: "arm,cortex-a9-gic")), "/interrupt-controller@1000000")
        XCTAssertNil(try tree.firstNode(compatibleWith: "arm,pl01"))
        XCTAssertEqual(try tree.nodes(compatibleWith: "arm,primecell").map { try path($0) }, ["/soc/serial@1000", "/soc/serial@2000"])
        XCTAssertTrue(try tree.root.isCompatible(with: "seal,generic"))
        XCTAssertFalse(try tree.root.isCompatible(with: "seal"))
    }

    func testChildrenInBlobOrder() throws {
        XCTAssertEqual(try tree.root.children.map { text($0.name)! }, [
            "aliases", "chosen", "cpus", "psci", "memory@80000000", "memory@c0000000", "memory@d0000000",
            "interrupt-controller@1000000", "soc", "loop-a", "loop-b", "looping-device", "dangling-device", "lists",
        ])
        XCTAssertEqual(tree.nodes.map { $0.offset }.count, 30)
    }

    func testParentsAndDepth() throws {
        let phy = try XCTUnwrap(tree.node(atPath: "/soc/ethernet@3000/mdio/phy@1"))
        XCTAssertEqual(phy.depth, 4)
        XCTAssertEqual(try path(phy.parent), "/soc/ethernet@3000/mdio")
        XCTAssertEqual(try phy.parent?.parent?.parent?.parent, try tree.root)
        XCTAssertNil(try tree.root.parent)
        XCTAssertTrue(try tree.root.isRoot)
    }

    func testNamesAndCells() throws {
        let serial = try XCTUnwrap(tree.node(atPath: "serial0"))
        XCTAssertEqual(text(serial.name), "serial@1000")
        XCTAssertEqual(text(serial.baseName), "serial")
        XCTAssertEqual(text(serial.unitAddress), "1000")
        XCTAssertEqual(text(try tree.node(atPath: "/soc")!.unitAddress), "")
        XCTAssertEqual(try tree.root.addressCells, 2)
        XCTAssertEqual(try tree.root.sizeCells, 1)
        XCTAssertEqual(try tree.node(atPath: "/cpus")!.sizeCells, 0)
        XCTAssertEqual(try tree.node(atPath: "/lists")!.addressCells, 2)
        XCTAssertEqual(try tree.node(atPath: "/lists")!.sizeCells, 1)
    }

    func testStatus() throws {
        XCTAssertTrue(try tree.node(atPath: "/soc/serial@1000")!.isEnabled)
        XCTAssertTrue(try tree.node(atPath: "/soc/serial@2000")!.isEnabled)
        XCTAssertFalse(try tree.node(atPath: "/cpus/cpu@2")!.isEnabled)
    }

    func testPropertyValues() throws {
        let lists = try XCTUnwrap(tree.node(atPath: "/lists"))
        let strings = try XCTUnwrap(lists.property(named: "strings"))
        XCTAssertEqual(strings.strings.map { text($0)! }, ["first", "", "third"])
        XCTAssertEqual(strings.strings.count, 3)
        XCTAssertEqual(text(try strings.stringBytes), "first")
        XCTAssertTrue(strings.contains(string: "third"))
        XCTAssertFalse(strings.contains(string: "thir"))
        XCTAssertTrue(try lists.property(named: "empty")!.isEmpty)
        let cells = try XCTUnwrap(lists.property(named: "cells"))
        XCTAssertEqual(Array(cells.cells), [1, 2, 3])
        XCTAssertEqual(cells.cells[2], 3)
        XCTAssertNil(cells.cells[3])
        XCTAssertThrows(.badPropertyLength) { () throws(DeviceTreeError) in try cells.u32 }
        XCTAssertThrows(.badPropertyLength) { () throws(DeviceTreeError) in try cells.u64 }
        let bytes = try XCTUnwrap(lists.property(named: "byte-string"))
        XCTAssertEqual(Array(bytes.bytes), [0xde, 0xad, 0xbe, 0xef])
        XCTAssertEqual(try bytes.u32, 0xdead_beef)
        XCTAssertThrows(.unterminatedString) { () throws(DeviceTreeError) in try bytes.stringBytes }
        XCTAssertEqual(bytes.strings.count, 0)
        XCTAssertEqual(try lists.property(named: "u64")?.u64, 0xfedc_ba98_7654_3210)
        XCTAssertNil(try lists.property(named: "missing"))
        XCTAssertEqual(lists.properties.map { text($0.name)! }, ["strings", "empty", "cells", "byte-string", "u64"])
    }

    func testSingleScalarStaticStrings() throws {
        // A one-character literal may be stored as a scalar, not as UTF-8 bytes.
        var builder = BlobBuilder()
        builder.beginNode("")
        builder.property("a", string: "b")
        builder.beginNode("c")
        builder.endNode()
        builder.endNode()
        builder.end()
        let blob = Blob(builder.build())
        let tree = try blob.tree()
        XCTAssertEqual(text(try tree.root.property(named: "a")?.stringBytes), "b")
        XCTAssertNotNil(try tree.root.child(named: "c"))
        XCTAssertTrue(try tree.root.property(named: "a")!.stringBytes.equals("b"))
    }
}

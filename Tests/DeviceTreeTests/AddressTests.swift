// AddressTests: `reg` decoding and `ranges` translation on translation.dts, board.dts and QEMU.
import DeviceTree
import XCTest

final class AddressTests: XCTestCase {
    var blob: Blob!
    var tree: DeviceTree!

    override func setUpWithError() throws {
        blob = try Fixture.blob("translation")
        tree = try blob.tree()
        try tree.validate()
    }

    func registers(_ path: StaticString) throws -> [AddressRange] {
        let node = try XCTUnwrap(tree.node(atPath: path), "\(path)")
        return Array(try node.registers)
    }

    func range(_ address: UInt64, _ size: UInt64) -> AddressRange {
        AddressRange(address: address, size: size)
    }

    func testNodesUnderTheRootNeedNoTranslation() throws {
        XCTAssertEqual(try registers("/direct@0,9000000"), [range(0x900_0000, 0x1000)])
        XCTAssertEqual(try registers("/high@8,0"), [range(0x8_0000_0000, 0x1_0000_0000)])
    }

    func testOneCellBusUnderTwoCellRoot() throws {
        XCTAssertEqual(try registers("/soc@40000000/uart@1000"), [range(0x4000_1000, 0x100)])
    }

    func testSecondRangesEntry() throws {
        XCTAssertEqual(try registers("/soc@40000000/two-ranges@80000000"),
                       [range(0x2_0000_0000, 0x1000), range(0x4000_2000, 0x10)])
    }

    func testNestedNonIdentityRanges() throws {
        XCTAssertEqual(try registers("/soc@40000000/bus@200000/device@40"), [range(0x4020_0040, 0x10)])
    }

    func testEmptyRangesIsIdentity() throws {
        XCTAssertEqual(try registers("/soc@40000000/bus@200000/identity-bus/deep@100"), [range(0x4020_0100, 0x4)])
        // Four buses up: deeper-bus, identity-bus (empty), bus@200000, soc.
        XCTAssertEqual(try registers("/soc@40000000/bus@200000/identity-bus/deeper-bus@800/deepest@10"),
                       [range(0x4020_0810, 0x4)])
    }

    func testAddressOutsideEveryRange() throws {
        let node = try XCTUnwrap(tree.node(atPath: "/soc@40000000/bus@200000/outside@20000"))
        XCTAssertThrows(.untranslatableAddress) { () throws(DeviceTreeError) in try node.registers }
    }

    func testBusWithoutRangesIsNotTranslatable() throws {
        let sensor = try XCTUnwrap(tree.node(atPath: "/soc@40000000/i2c@3000/sensor@48"))
        XCTAssertThrows(.untranslatableAddress) { () throws(DeviceTreeError) in try sensor.registers }
        let stuck = try XCTUnwrap(tree.node(atPath: "/no-ranges-bus/stuck@100"))
        XCTAssertThrows(.untranslatableAddress) { () throws(DeviceTreeError) in try stuck.registers }
        // The i2c controller itself is fine.
        XCTAssertEqual(try registers("/soc@40000000/i2c@3000"), [range(0x4000_3000, 0x100)])
    }

    func testBusRangesBeforeTranslation() throws {
        let sensor = try XCTUnwrap(tree.node(atPath: "/soc@40000000/i2c@3000/sensor@48"))
        let soc = try XCTUnwrap(tree.node(atPath: "/soc@40000000"))
        let registers = try soc.child(named: "i2c@3000")!.registers
        XCTAssertEqual(registers.count, 1)
        XCTAssertEqual(registers.addressCells, 1)
        XCTAssertEqual(registers.sizeCells, 1)
        XCTAssertEqual(try registers.busRange(at: 0), range(0x3000, 0x100))
        _ = sensor
    }

    func testThreeCellAddresses() throws {
        XCTAssertEqual(try registers("/wide-bus/device@0,0,100"), [range(0x5000_0100, 0x20)])
        let flagged = try XCTUnwrap(tree.node(atPath: "/wide-bus/flagged@1,2,3"))
        XCTAssertThrows(.numberTooWide) { () throws(DeviceTreeError) in try flagged.registers }
    }

    func testRegThatIsNotWholeEntries() throws {
        let node = try XCTUnwrap(tree.node(atPath: "/bad-reg"))
        XCTAssertThrows(.badPropertyLength) { () throws(DeviceTreeError) in try node.registers }
    }

    func testNodesWithoutRegHaveNoRegisters() throws {
        XCTAssertEqual(try registers("/no-ranges-bus").count, 0)
        XCTAssertEqual(try tree.root.registers.count, 0)
    }

    func testTranslateChildAddress() throws {
        let soc = try XCTUnwrap(tree.node(atPath: "/soc@40000000"))
        XCTAssertEqual(try soc.translate(childAddress: 0x1000), 0x4000_1000)
        XCTAssertEqual(try soc.translate(childAddress: 0x8000_0010), 0x2_0000_0010)
        XCTAssertThrows(.untranslatableAddress) { () throws(DeviceTreeError) in try soc.translate(childAddress: 0x1000_0000) }
        let bus = try XCTUnwrap(tree.node(atPath: "/soc@40000000/bus@200000"))
        XCTAssertEqual(try bus.translate(childAddress: 0x40), 0x4020_0040)
        XCTAssertEqual(try tree.root.translate(childAddress: 0x1234), 0x1234)
    }

    func testBoardRegistersAndMemory() throws {
        let board = try Fixture.blob("board")
        let tree = try board.tree()
        let gic = try XCTUnwrap(tree.firstNode(compatibleWith: "arm,cortex-a15-gic"))
        XCTAssertEqual(Array(try gic.registers), [range(0x100_0000, 0x1000), range(0x100_2000, 0x2000)])
        XCTAssertEqual(Array(try tree.node(atPath: "serial0")!.registers), [range(0x1000_1000, 0x1000)])
        let cpu = try XCTUnwrap(tree.node(atPath: "/cpus/cpu@1"))
        XCTAssertThrows(.untranslatableAddress) { () throws(DeviceTreeError) in try cpu.registers }
        let regions = try tree.memoryRegions
        XCTAssertEqual(regions.count, 3)
        XCTAssertEqual(Array(regions), [range(0x8000_0000, 0x2000_0000), range(0x1_0000_0000, 0x1000_0000),
                                        range(0xc000_0000, 0x100_0000)])
    }

    func testQEMUVirtAddresses() throws {
        let qemu = try Fixture.blob("qemu-virt")
        let tree = try qemu.tree()
        try tree.validate()
        XCTAssertEqual(Array(try tree.memoryRegions), [range(0x4000_0000, 0x1000_0000)])
        let uart = try XCTUnwrap(tree.firstNode(compatibleWith: "arm,pl011"))
        XCTAssertEqual(Array(try uart.registers), [range(0x900_0000, 0x1000)])
        // The GICv2m frame sits under the GIC, whose `ranges` is empty.
        let v2m = try XCTUnwrap(tree.firstNode(compatibleWith: "arm,gic-v2m-frame"))
        XCTAssertEqual(Array(try v2m.registers), [range(0x802_0000, 0x1000)])
        let platformBus = try XCTUnwrap(tree.firstNode(compatibleWith: "qemu,platform"))
        XCTAssertEqual(try platformBus.translate(childAddress: 0x10), 0xc00_0010)
        // PCI ranges carry a space code in the top cell: a plain address matches none.
        let pcie = try XCTUnwrap(tree.firstNode(compatibleWith: "pci-host-ecam-generic"))
        XCTAssertEqual(Array(try pcie.registers), [range(0x40_1000_0000, 0x1000_0000)])
        XCTAssertThrows(.untranslatableAddress) { () throws(DeviceTreeError) in try pcie.translate(childAddress: 0) }
        // Every node's registers either translate or fail with a typed error.
        var mapped = 0
        for node in tree.nodes {
            if let registers = try? node.registers { mapped += registers.count }
        }
        // flash 2, fw-cfg 1, GIC 2 + v2m 1, memory 1, pcie 1, pl011 1, pl031 1, pl061 1,
        // virtio 32; not /cpus/cpu@0, whose parent has no `ranges`.
        XCTAssertEqual(mapped, 2 + 1 + 3 + 1 + 1 + 1 + 1 + 1 + 32)
    }

    func testQEMUHighmemOff() throws {
        let qemu = try Fixture.blob("qemu-virt-highmem-off")
        let tree = try qemu.tree()
        let pcie = try XCTUnwrap(tree.firstNode(compatibleWith: "pci-host-ecam-generic"))
        XCTAssertEqual(Array(try pcie.registers), [range(0x3f00_0000, 0x100_0000)])
    }
}

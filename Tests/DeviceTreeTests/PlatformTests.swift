// PlatformTests: /chosen, model, CPUs, PSCI and reservations, on board.dts and QEMU's DTBs.
import DeviceTree
import XCTest

final class PlatformTests: XCTestCase {
    func testBoardChosen() throws {
        let blob = try Fixture.blob("board")
        let tree = try blob.tree()
        XCTAssertEqual(text(try tree.bootArguments), "ip=dhcp console=ttyAMA0")
        let console = try XCTUnwrap(tree.standardOutput)
        XCTAssertEqual(console.node, try tree.node(atPath: "/soc/serial@1000"))
        XCTAssertEqual(text(console.options), "115200n8")
        XCTAssertEqual(Array(try XCTUnwrap(tree.randomSeed)), Array(stride(from: 0x00, through: 0xff, by: 0x11)).map(UInt8.init))
        XCTAssertEqual(try tree.kaslrSeed, 0x0123_4567_89ab_cdef)
    }

    func testBoardPlatform() throws {
        let blob = try Fixture.blob("board")
        let tree = try blob.tree()
        XCTAssertEqual(text(try tree.model), "Seal test board")
        XCTAssertEqual(try tree.cpuCount, 3)
        XCTAssertEqual(try tree.psciMethod, .smc)
        XCTAssertEqual(Array(tree.reservations), [
            AddressRange(address: 0x8000_0000, size: 0x1_0000),
            AddressRange(address: 0x8f00_0000, size: 0x100_0000),
            AddressRange(address: 0x1_0000_0000, size: 0x20_0000),
        ])
        XCTAssertEqual(try tree.reservationCount(), 3)
    }

    func testQEMUVirt() throws {
        let blob = try Fixture.blob("qemu-virt")
        let tree = try blob.tree()
        try tree.validate()
        XCTAssertEqual(text(try tree.model), "linux,dummy-virt")
        XCTAssertEqual(try tree.cpuCount, 1)
        XCTAssertEqual(try tree.psciMethod, .hvc)
        XCTAssertNil(try tree.bootArguments)
        let console = try XCTUnwrap(tree.standardOutput)
        XCTAssertTrue(try console.node.isCompatible(with: "arm,pl011"))
        XCTAssertEqual(console.options.count, 0)
        XCTAssertEqual(try tree.randomSeed?.count, 32)
        XCTAssertNotNil(try tree.kaslrSeed)
        XCTAssertEqual(Array(tree.reservations), [])
        XCTAssertEqual(Array(tree.nodes(compatibleWith: "virtio,mmio")).count, 32)
    }

    func testQEMUVirtWithVirtualizationAndTwoCPUs() throws {
        let blob = try Fixture.blob("qemu-virt-virtualization-smp2")
        let tree = try blob.tree()
        try tree.validate()
        XCTAssertEqual(try tree.cpuCount, 2)
        // With EL2 emulated, QEMU's PSCI firmware is reached by SMC.
        XCTAssertEqual(try tree.psciMethod, .smc)
    }

    func testQEMUHighmemOff() throws {
        let blob = try Fixture.blob("qemu-virt-highmem-off")
        let tree = try blob.tree()
        try tree.validate()
        XCTAssertEqual(Array(try tree.memoryRegions), [AddressRange(address: 0x4000_0000, size: 0x1000_0000)])
    }

    func testMissingPiecesAreNil() throws {
        let blob = try Fixture.blob("minimal")
        let tree = try blob.tree()
        XCTAssertNil(try tree.chosen)
        XCTAssertNil(try tree.bootArguments)
        XCTAssertNil(try tree.standardOutput)
        XCTAssertNil(try tree.randomSeed)
        XCTAssertNil(try tree.kaslrSeed)
        XCTAssertNil(try tree.model)
        XCTAssertNil(try tree.psciMethod)
        XCTAssertEqual(try tree.cpuCount, 0)
        XCTAssertEqual(try tree.memoryRegions.count, 0)
    }

    func testBadChosenValues() throws {
        var builder = BlobBuilder()
        builder.beginNode("")
        builder.beginNode("chosen")
        builder.property("bootargs", Array("no terminator".utf8))
        builder.property("stdout-path", string: "/nowhere:9600")
        builder.property("kaslr-seed", [1, 2, 3])
        builder.endNode()
        builder.beginNode("psci")
        builder.property("method", string: "svc")
        builder.endNode()
        builder.endNode()
        builder.end()
        let blob = Blob(builder.build())
        let tree = try blob.tree()
        try tree.validate()
        XCTAssertThrows(.unterminatedString) { () throws(DeviceTreeError) in try tree.bootArguments }
        XCTAssertThrows(.badPropertyValue) { () throws(DeviceTreeError) in try tree.standardOutput }
        XCTAssertThrows(.badPropertyLength) { () throws(DeviceTreeError) in try tree.kaslrSeed }
        XCTAssertThrows(.badPropertyValue) { () throws(DeviceTreeError) in try tree.psciMethod }
    }
}

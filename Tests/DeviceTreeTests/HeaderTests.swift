// HeaderTests: DeviceTree(checkingHeader:) on a golden minimal blob and every broken header.
import DeviceTree
import XCTest

final class HeaderTests: XCTestCase {
    /// The smallest valid blob, byte for byte what `dtc` makes of `/ { };` (Fixtures/minimal).
    static let minimal: [UInt8] = [
        0xd0, 0x0d, 0xfe, 0xed, 0x00, 0x00, 0x00, 0x48, // magic, totalsize 72
        0x00, 0x00, 0x00, 0x38, 0x00, 0x00, 0x00, 0x48, // off_dt_struct 56, off_dt_strings 72
        0x00, 0x00, 0x00, 0x28, 0x00, 0x00, 0x00, 0x11, // off_mem_rsvmap 40, version 17
        0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, // last_comp_version 16, boot_cpuid_phys 0
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, // size_dt_strings 0, size_dt_struct 16
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // reservation terminator: address 0
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, //                         size 0
        0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, // FDT_BEGIN_NODE, "" padded
        0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x09, // FDT_END_NODE, FDT_END
    ]

    func check(_ bytes: [UInt8]) throws(DeviceTreeError) -> DeviceTree {
        let blob = Blob(bytes)
        return try withExtendedLifetime(blob) { () throws(DeviceTreeError) -> DeviceTree in
            try DeviceTree(checkingHeader: blob.bytes)
        }
    }

    func patched(_ offset: Int, _ value: UInt32, in bytes: [UInt8] = minimal) -> [UInt8] {
        var copy = bytes
        setWord(&copy, at: offset, value)
        return copy
    }

    func testGoldenMinimalBlobMatchesDtcAndValidates() throws {
        XCTAssertEqual(try Fixture.bytes("minimal"), HeaderTests.minimal)
        let blob = Blob(HeaderTests.minimal)
        let tree = try blob.tree()
        XCTAssertEqual(tree.totalSize, 72)
        XCTAssertEqual(tree.version, 17)
        XCTAssertEqual(tree.lastCompatibleVersion, 16)
        XCTAssertEqual(tree.bootCPUPhysicalID, 0)
        XCTAssertEqual(tree.structureBlock.count, 16)
        XCTAssertEqual(tree.stringsBlock.count, 0)
        try tree.validate()
        XCTAssertEqual(Array(tree.nodes).count, 1)
        XCTAssertEqual(try tree.root.name.count, 0)
        XCTAssertEqual(Array(tree.reservations), [])
    }

    func testLongerBufferIsCutToTotalSize() throws {
        let blob = Blob(HeaderTests.minimal + [UInt8](repeating: 0xff, count: 100))
        let tree = try blob.tree()
        XCTAssertEqual(tree.blob.count, 72)
        try tree.validate()
    }

    func testPointerInitialiserReadsTotalSize() throws {
        let blob = Blob(HeaderTests.minimal + [UInt8](repeating: 0xff, count: 100))
        let tree = try DeviceTree(checkingHeaderAt: blob.bytes.baseAddress!, maximumSize: 1 << 20)
        XCTAssertEqual(tree.totalSize, 72)
        try tree.validate()
        XCTAssertThrows(.truncatedBlob) { () throws(DeviceTreeError) in
            try DeviceTree(checkingHeaderAt: blob.bytes.baseAddress!, maximumSize: 71)
        }
        XCTAssertThrows(.truncatedHeader) { () throws(DeviceTreeError) in
            try DeviceTree(checkingHeaderAt: blob.bytes.baseAddress!, maximumSize: 20)
        }
        XCTAssertThrows(.truncatedHeader) { () throws(DeviceTreeError) in
            try DeviceTree(checkingHeaderAt: blob.bytes.baseAddress!, maximumSize: -5)
        }
        let garbage = Blob([UInt8](repeating: 0x5a, count: 64))
        XCTAssertThrows(.badMagic) { () throws(DeviceTreeError) in
            try DeviceTree(checkingHeaderAt: garbage.bytes.baseAddress!, maximumSize: 64)
        }
    }

    func testTruncatedHeaders() {
        for length in [0, 3, 4, 27, 28, 39] {
            XCTAssertThrows(.truncatedHeader) { () throws(DeviceTreeError) in
                try check(Array(HeaderTests.minimal.prefix(length)))
            }
        }
        // totalsize smaller than the header itself.
        XCTAssertThrows(.truncatedHeader) { () throws(DeviceTreeError) in try check(patched(4, 39)) }
    }

    func testBadMagic() {
        XCTAssertThrows(.badMagic) { () throws(DeviceTreeError) in try check(patched(0, 0xedfe0dd0)) }
        XCTAssertThrows(.badMagic) { () throws(DeviceTreeError) in try check([0xd0, 0x0d, 0xfe, 0xee]) }
    }

    func testBadVersions() {
        XCTAssertThrows(.badVersion) { () throws(DeviceTreeError) in try check(patched(20, 15)) }
        XCTAssertThrows(.badVersion) { () throws(DeviceTreeError) in try check(patched(20, 3)) }
        XCTAssertThrows(.badVersion) { () throws(DeviceTreeError) in try check(patched(24, 18)) }
        // version below last_comp_version.
        XCTAssertThrows(.badVersion) { () throws(DeviceTreeError) in try check(patched(24, 17, in: patched(20, 16))) }
    }

    func testNewerVersionsCompatibleWith16Or17AreAccepted() throws {
        let blob = Blob(patched(20, 20))
        try blob.tree().validate()
    }

    func testTotalSizeBeyondBuffer() {
        XCTAssertThrows(.truncatedBlob) { () throws(DeviceTreeError) in try check(patched(4, 73)) }
        XCTAssertThrows(.truncatedBlob) { () throws(DeviceTreeError) in try check(patched(4, 0xffff_ffff)) }
    }

    func testBlocksOutOfBounds() {
        // Structure block ends past totalsize; starts past it; size overflows.
        XCTAssertThrows(.blockOutOfBounds) { () throws(DeviceTreeError) in try check(patched(36, 17)) }
        XCTAssertThrows(.blockOutOfBounds) { () throws(DeviceTreeError) in try check(patched(8, 0x4c)) }
        XCTAssertThrows(.blockOutOfBounds) { () throws(DeviceTreeError) in try check(patched(36, 0xffff_fff0)) }
        // Strings block past the end, or inside the header.
        XCTAssertThrows(.blockOutOfBounds) { () throws(DeviceTreeError) in try check(patched(32, 1)) }
        XCTAssertThrows(.blockOutOfBounds) { () throws(DeviceTreeError) in try check(patched(12, 0x20)) }
        // Reservation block inside the header, or without room for its terminator.
        XCTAssertThrows(.blockOutOfBounds) { () throws(DeviceTreeError) in try check(patched(16, 0x20)) }
        XCTAssertThrows(.blockOutOfBounds) { () throws(DeviceTreeError) in try check(patched(16, 0x40)) }
    }

    func testMisalignedBlocks() {
        // Structure block at 58 (not a multiple of 4), size shrunk to stay in bounds.
        XCTAssertThrows(.misalignedBlock) { () throws(DeviceTreeError) in try check(patched(36, 12, in: patched(8, 0x3a))) }
        // Reservation block at 44 (not a multiple of 8).
        XCTAssertThrows(.misalignedBlock) { () throws(DeviceTreeError) in try check(patched(16, 0x2c)) }
    }

    func testOverlappingBlocks() {
        // Strings block (now 8 bytes) starting inside the structure block.
        XCTAssertThrows(.overlappingBlocks) { () throws(DeviceTreeError) in try check(patched(32, 8, in: patched(12, 0x40))) }
        // Reservation block inside the structure block.
        XCTAssertThrows(.overlappingBlocks) { () throws(DeviceTreeError) in try check(patched(16, 0x38)) }
        // Structure block starting inside the reservation block's terminator.
        XCTAssertThrows(.overlappingBlocks) { () throws(DeviceTreeError) in try check(patched(36, 16, in: patched(8, 0x30))) }
    }

    func testEmptyBlocksOverlapNothing() throws {
        // An empty strings block inside the structure block is harmless.
        let blob = Blob(patched(12, 0x3c))
        try blob.tree().validate()
    }

    func testVersion16UsesTheNextBlockAsStructureLimit() throws {
        let blob = try Fixture.blob("board-version16")
        let tree = try blob.tree()
        XCTAssertEqual(tree.version, 16)
        try tree.validate()
        XCTAssertEqual(tree.structureBlock.count, Int(word(blob.array, at: 12) - word(blob.array, at: 8)))
        XCTAssertEqual(try tree.node(atPath: "/soc/serial@1000")?.registers.range(at: 0),
                       AddressRange(address: 0x1000_1000, size: 0x1000))
    }

    func testErrorReasonsAreDistinct() {
        let all: [DeviceTreeError] = [
            .truncatedHeader, .badMagic, .badVersion, .truncatedBlob, .blockOutOfBounds, .misalignedBlock,
            .overlappingBlocks, .unterminatedReservations, .truncatedStructure, .missingEnd, .badToken,
            .propertyNameOutOfBounds, .unterminatedPropertyName, .unexpectedEndNode, .unclosedNode,
            .missingRootNode, .namedRootNode, .badNodeName, .multipleRootNodes, .propertyOutsideNode, .propertyAfterSubnode,
            .nestingTooDeep, .badPropertyLength, .unterminatedString, .badCellCount, .numberTooWide,
            .unresolvedPhandle, .untranslatableAddress, .referenceLoop, .badPropertyValue,
        ]
        XCTAssertEqual(Set(all.map { "\($0.reason)" }).count, all.count)
    }
}

// StructureTests: validate() on blobs broken in each structural way, and how sequences and
// lookups behave on them (end early, throw the defect; never trap).
import DeviceTree
import XCTest

final class StructureTests: XCTestCase {
    /// Asserts the header is accepted, validate() throws `expected`, and nothing traps
    /// when every accessor is run on the broken tree.
    func assertValidation(_ expected: DeviceTreeError, _ bytes: [UInt8],
                          file: StaticString = #filePath, line: UInt = #line) {
        let blob = Blob(bytes)
        guard let tree = try? blob.tree() else {
            return XCTFail("header rejected", file: file, line: line)
        }
        XCTAssertThrows(expected, { () throws(DeviceTreeError) in try tree.validate() }, file: file, line: line)
        exerciseEverything(tree)
    }

    func testSimpleBlobValidates() throws {
        let blob = Blob(BlobBuilder.simple().build())
        let tree = try blob.tree()
        try tree.validate()
        XCTAssertEqual(tree.nodes.map { text($0.name) }, ["", "child@1"])
    }

    func testTruncatedProperty() {
        var builder = BlobBuilder()
        builder.beginNode("")
        builder.property("reg", cells: [1, 2])
        builder.endNode()
        builder.end()
        var bytes = builder.build()
        // Claim 200 value bytes where 8 are.
        let structureStart = Int(word(bytes, at: 8))
        setWord(&bytes, at: structureStart + 12, 200)
        assertValidation(.truncatedStructure, bytes)
        // The structure block cut in the middle of the value.
        var cut = builder.build()
        setWord(&cut, at: 36, 8 + 12 + 4)
        assertValidation(.truncatedStructure, cut)
    }

    func testPropertyLengthThatWouldOverflowIsTruncation() {
        var builder = BlobBuilder()
        builder.beginNode("")
        builder.property("a", [1, 2, 3, 4])
        builder.endNode()
        builder.end()
        var bytes = builder.build()
        setWord(&bytes, at: Int(word(bytes, at: 8)) + 12, 0xffff_fffc)
        assertValidation(.truncatedStructure, bytes)
    }

    func testUnterminatedStringBlock() {
        var builder = BlobBuilder()
        builder.beginNode("")
        builder.property("model", string: "x")
        builder.endNode()
        builder.end()
        var bytes = builder.build()
        bytes.removeLast() // the NUL ending "model", the last byte of the strings block
        setWord(&bytes, at: 4, UInt32(bytes.count))
        setWord(&bytes, at: 32, 5)
        assertValidation(.unterminatedPropertyName, bytes)
    }

    func testNamePastStringBlockEnd() {
        var builder = BlobBuilder()
        builder.beginNode("")
        builder.property("model", string: "x")
        builder.property(nameOffset: 6, [])
        builder.endNode()
        builder.end()
        assertValidation(.propertyNameOutOfBounds, builder.build())
        var huge = BlobBuilder()
        huge.beginNode("")
        huge.property(nameOffset: 0xffff_ffff, [])
        huge.endNode()
        huge.end()
        assertValidation(.propertyNameOutOfBounds, huge.build())
    }

    func testMissingEnd() {
        var builder = BlobBuilder()
        builder.beginNode("")
        builder.endNode()
        assertValidation(.missingEnd, builder.build())
    }

    func testUnknownToken() {
        var builder = BlobBuilder()
        builder.beginNode("")
        builder.token(5)
        builder.endNode()
        builder.end()
        assertValidation(.badToken, builder.build())
    }

    func testMisalignedTokenIsReadAsGarbage() {
        // A name whose padding is missing puts the next token off the 4-byte grid.
        var builder = BlobBuilder()
        builder.beginNode("")
        builder.structure += [0, 0, 0, 1, UInt8(ascii: "a"), 0] // BEGIN_NODE "a" without padding
        builder.endNode()
        builder.endNode()
        builder.end()
        assertValidation(.badToken, builder.build())
    }

    func testNodeNameRunningOffTheBlock() {
        var builder = BlobBuilder()
        builder.beginNode("")
        builder.structure += [0, 0, 0, 1] + Array("abcdefg".utf8) // no NUL before the end
        assertValidation(.truncatedStructure, builder.build())
    }

    func testUnbalancedNodes() {
        var extraEnd = BlobBuilder()
        extraEnd.beginNode("")
        extraEnd.endNode()
        extraEnd.endNode()
        extraEnd.end()
        assertValidation(.unexpectedEndNode, extraEnd.build())

        var unclosed = BlobBuilder()
        unclosed.beginNode("")
        unclosed.beginNode("child")
        unclosed.endNode()
        unclosed.end()
        assertValidation(.unclosedNode, unclosed.build())
    }

    func testRootRules() {
        var empty = BlobBuilder()
        empty.nop()
        empty.end()
        assertValidation(.missingRootNode, empty.build())

        var named = BlobBuilder()
        named.beginNode("root")
        named.endNode()
        named.end()
        assertValidation(.namedRootNode, named.build())

        var two = BlobBuilder()
        two.beginNode("")
        two.endNode()
        two.beginNode("")
        two.endNode()
        two.end()
        assertValidation(.multipleRootNodes, two.build())
    }

    func testSlashInNodeName() {
        var builder = BlobBuilder()
        builder.beginNode("")
        builder.beginNode("a/b")
        builder.endNode()
        builder.endNode()
        builder.end()
        assertValidation(.badNodeName, builder.build())
    }

    func testPropertyPlacement() {
        var outside = BlobBuilder()
        outside.property("stray", [1])
        outside.beginNode("")
        outside.endNode()
        outside.end()
        assertValidation(.propertyOutsideNode, outside.build())

        var afterRoot = BlobBuilder()
        afterRoot.beginNode("")
        afterRoot.endNode()
        afterRoot.property("stray", [1])
        afterRoot.end()
        assertValidation(.propertyOutsideNode, afterRoot.build())

        var afterSubnode = BlobBuilder()
        afterSubnode.beginNode("")
        afterSubnode.beginNode("child")
        afterSubnode.endNode()
        afterSubnode.property("late", [1])
        afterSubnode.endNode()
        afterSubnode.end()
        assertValidation(.propertyAfterSubnode, afterSubnode.build())
    }

    func nested(_ depth: Int) -> [UInt8] {
        var builder = BlobBuilder()
        builder.beginNode("")
        for _ in 1..<depth { builder.beginNode("n") }
        for _ in 0..<depth { builder.endNode() }
        builder.end()
        return builder.build()
    }

    func testNestingLimit() throws {
        let deepest = Blob(nested(DeviceTree.maximumDepth))
        let tree = try deepest.tree()
        try tree.validate()
        XCTAssertEqual(Array(tree.nodes).last?.depth, DeviceTree.maximumDepth - 1)
        let path = "/" + Array(repeating: "n", count: DeviceTree.maximumDepth - 1).joined(separator: "/")
        let node = try path.utf8CString.withUnsafeBytes { bytes throws(DeviceTreeError) in
            try tree.node(atPath: UnsafeRawBufferPointer(rebasing: bytes.dropLast()))
        }
        XCTAssertEqual(node?.depth, DeviceTree.maximumDepth - 1)
        XCTAssertEqual(try node?.parent?.depth, DeviceTree.maximumDepth - 2)

        assertValidation(.nestingTooDeep, nested(DeviceTree.maximumDepth + 1))
        assertValidation(.nestingTooDeep, nested(10_000))
    }

    func testNopsAreIgnoredEverywhere() throws {
        var builder = BlobBuilder()
        builder.nop()
        builder.beginNode("")
        builder.nop()
        builder.property("a", [1])
        builder.nop()
        builder.beginNode("child")
        builder.nop()
        builder.endNode()
        builder.nop()
        builder.endNode()
        builder.nop()
        builder.end()
        let blob = Blob(builder.build())
        let tree = try blob.tree()
        try tree.validate()
        XCTAssertEqual(tree.nodes.map { text($0.name) }, ["", "child"])
        XCTAssertEqual(try tree.root.properties.map { text($0.name) }, ["a"])
        XCTAssertNotNil(try tree.node(atPath: "/child"))
    }

    func testUnterminatedReservations() {
        var builder = BlobBuilder.simple()
        builder.reservations = [(0x1000, 0x2000)]
        builder.terminateReservations = false
        assertValidation(.unterminatedReservations, builder.build())
    }

    func testReservationsEndAtSizeZero() throws {
        var builder = BlobBuilder.simple()
        builder.reservations = [(0x1000, 0x2000), (0x8000_0000, 0x10)]
        let blob = Blob(builder.build())
        let tree = try blob.tree()
        try tree.validate()
        XCTAssertEqual(Array(tree.reservations), [AddressRange(address: 0x1000, size: 0x2000),
                                                  AddressRange(address: 0x8000_0000, size: 0x10)])
        XCTAssertEqual(try tree.reservationCount(), 2)
    }

    func testBytesAfterEndAreIgnored() throws {
        var builder = BlobBuilder.simple()
        builder.token(0xdead_beef)
        let blob = Blob(builder.build())
        try blob.tree().validate()
    }

    func testSequencesEndEarlyAndLookupsThrowOnBrokenTrees() throws {
        var builder = BlobBuilder()
        builder.beginNode("")
        builder.property("good", [1])
        builder.beginNode("first")
        builder.endNode()
        builder.token(0x77) // garbage after the first child
        builder.beginNode("second")
        builder.endNode()
        builder.endNode()
        builder.end()
        let blob = Blob(builder.build())
        let tree = try blob.tree()
        XCTAssertThrows(.badToken) { () throws(DeviceTreeError) in try tree.validate() }
        XCTAssertEqual(tree.nodes.map { text($0.name) }, ["", "first"])
        XCTAssertEqual(try tree.root.children.map { text($0.name) }, ["first"])
        XCTAssertNotNil(try tree.node(atPath: "/first"))
        XCTAssertThrows(.badToken) { () throws(DeviceTreeError) in try tree.node(atPath: "/second") }
        XCTAssertThrows(.badToken) { () throws(DeviceTreeError) in try tree.firstNode(compatibleWith: "x") }
        XCTAssertThrows(.badToken) { () throws(DeviceTreeError) in try tree.node(withPhandle: 1) }
        XCTAssertThrows(.badToken) { () throws(DeviceTreeError) in try tree.memoryRegions }
        exerciseEverything(tree)
    }
}

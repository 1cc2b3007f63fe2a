// LibFDTDifferentialTests: every fixture walked through libfdt and through DeviceTree must give
// the same nodes, paths, properties, reservations, and the same answers to lookups.
import DeviceTree
import LibFDT
import XCTest

final class LibFDTDifferentialTests: XCTestCase {
    func testEveryFixtureWalksLikeLibFDT() throws {
        for name in Fixture.dtbNames {
            let blob = try Fixture.blob(name)
            XCTAssertEqual(LibFDTView.check(blob.bytes), 0, name)
            let tree = try blob.tree()
            try tree.validate()
            let reference = try XCTUnwrap(LibFDTView.view(blob.bytes), name)
            let ours = try DeviceTreeView.view(tree)
            XCTAssertEqual(ours.reservations, reference.reservations, name)
            XCTAssertEqual(ours.nodes.count, reference.nodes.count, name)
            for (mine, theirs) in zip(ours.nodes, reference.nodes) {
                XCTAssertEqual(mine, theirs, name)
            }
        }
    }

    func testLookupsAgreeWithLibFDT() throws {
        for name in Fixture.dtbNames {
            let blob = try Fixture.blob(name)
            let fdt = blob.bytes.baseAddress
            let tree = try blob.tree()
            let view = try XCTUnwrap(LibFDTView.view(blob.bytes))
            var compatibles: Set<[UInt8]> = []
            for node in view.nodes {
                // By path, and by the path with unit addresses dropped (libfdt's loose match).
                for path in [node.path, Self.withoutUnitAddresses(node.path)] {
                    let expected = fdt_path_offset_namelen(fdt, path.map { CChar(bitPattern: $0) }, Int32(path.count))
                    let found = try path.withUnsafeBytes { try tree.node(atPath: $0) }
                    XCTAssertEqual(found?.offset ?? -1, expected < 0 ? -1 : Int(expected), "\(name) \(String(decoding: path, as: UTF8.self))")
                }
                let mine = try XCTUnwrap(tree.nodes.first { $0.offset == node.offset })
                let phandle = fdt_get_phandle(fdt, Int32(node.offset))
                XCTAssertEqual(try mine.phandle ?? 0, phandle, name)
                if phandle != 0 {
                    XCTAssertEqual(try tree.node(withPhandle: phandle)?.offset, Int(fdt_node_offset_by_phandle(fdt, phandle)))
                }
                let addressCells = fdt_address_cells(fdt, Int32(node.offset))
                if addressCells >= 0 { XCTAssertEqual(try mine.addressCells, Int(addressCells), name) }
                let sizeCells = fdt_size_cells(fdt, Int32(node.offset))
                if sizeCells >= 0 { XCTAssertEqual(try mine.sizeCells, Int(sizeCells), name) }
                if let compatible = node.properties.first(where: { $0.name == Array("compatible".utf8) }) {
                    let count = fdt_stringlist_count(fdt, Int32(node.offset), "compatible")
                    XCTAssertEqual(try mine.property(named: "compatible")?.strings.count, Int(count), name)
                    for string in compatible.value.split(separator: 0) { compatibles.insert(Array(string)) }
                }
            }
            for model in compatibles {
                let expected = fdt_node_offset_by_compatible(fdt, -1, model.map { CChar(bitPattern: $0) } + [0])
                let found = try model.withUnsafeBytes { try tree.firstNode(compatibleWith: $0) }
                XCTAssertEqual(found?.offset, Int(expected), "\(name) \(String(decoding: model, as: UTF8.self))")
            }
            // Aliases resolve the same way.
            if let aliases = try tree.node(atPath: "/aliases") {
                for property in aliases.properties {
                    let alias = Array(property.name)
                    // libfdt follows alias-to-alias chains without a bound: a loop would overflow its stack.
                    if alias.starts(with: Array("loop".utf8)) { continue }
                    let expected = fdt_path_offset_namelen(fdt, alias.map { CChar(bitPattern: $0) }, Int32(alias.count))
                    let found = try? alias.withUnsafeBytes { try tree.node(atPath: $0) }
                    XCTAssertEqual(found?.offset ?? -1, expected < 0 ? -1 : Int(expected), "\(name) alias \(String(decoding: alias, as: UTF8.self))")
                }
            }
        }
    }

    static func withoutUnitAddresses(_ path: [UInt8]) -> [UInt8] {
        path.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false).map { component in
            Array(component.prefix { $0 != UInt8(ascii: "@") })
        }.joined(separator: [UInt8(ascii: "/")]).map { $0 }
    }
}

/// The same comparison over a directory of real-world DTBs (the Debian armmp kernel's, say):
/// `SEAL_DTB_DIRECTORY=build/debian-dtbs swift test --filter RealWorldDTBTests`. Skipped
/// when the variable is unset.
final class RealWorldDTBTests: XCTestCase {
    func testDirectoryOfDTBs() throws {
        guard let directory = ProcessInfo.processInfo.environment["SEAL_DTB_DIRECTORY"] else {
            throw XCTSkip("SEAL_DTB_DIRECTORY not set")
        }
        let files = FileManager.default.enumerator(atPath: directory)!.compactMap { $0 as? String }
            .filter { $0.hasSuffix(".dtb") }.sorted()
        var registerErrors: [String: Int] = [:]
        var interruptErrors: [String: Int] = [:]
        var mapped = 0
        var interrupts = 0
        for file in files {
            let blob = Blob([UInt8](try Data(contentsOf: URL(fileURLWithPath: directory + "/" + file))))
            XCTAssertEqual(LibFDTView.check(blob.bytes), 0, file)
            let tree = try blob.tree()
            try tree.validate()
            XCTAssertEqual(try DeviceTreeView.view(tree), LibFDTView.view(blob.bytes), file)
            for node in tree.nodes {
                do { mapped += try node.registers.count } catch { registerErrors["\(error)", default: 0] += 1 }
                do { interrupts += try node.interrupts.count } catch { interruptErrors["\(error)", default: 0] += 1 }
            }
            _ = try tree.memoryRegions
            _ = try tree.cpuCount
            exerciseEverything(tree)
        }
        print("real-world DTBs: \(files.count), reg entries translated \(mapped), interrupt specifiers \(interrupts)")
        print("register errors \(registerErrors); interrupt errors \(interruptErrors)")
    }
}

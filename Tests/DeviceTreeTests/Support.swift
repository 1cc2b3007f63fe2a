// Support: fixtures from the bundle, aligned blob storage, and a builder for small blobs.
import DeviceTree
import Foundation
import XCTest

/// A blob in 8-byte-aligned memory (libfdt 1.6 insists on the alignment), freed on deinit.
final class Blob {
    let bytes: UnsafeRawBufferPointer
    private let storage: UnsafeMutableRawPointer

    init(_ array: [UInt8]) {
        let storage = UnsafeMutableRawPointer.allocate(byteCount: max(array.count, 1), alignment: 16)
        array.withUnsafeBytes { source in
            if let base = source.baseAddress { storage.copyMemory(from: base, byteCount: array.count) }
        }
        self.storage = storage
        bytes = UnsafeRawBufferPointer(start: storage, count: array.count)
    }

    deinit { storage.deallocate() }

    var array: [UInt8] { Array(bytes) }

    func tree() throws -> DeviceTree { try DeviceTree(checkingHeader: bytes) }
}

enum Fixture {
    static let dtbNames = [
        "minimal", "board", "board-version16", "translation",
        "qemu-virt", "qemu-virt-virtualization-smp2", "qemu-virt-highmem-off",
    ]

    static func url(_ name: String) -> URL {
        Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.appendingPathComponent(name + ".dtb")
    }

    static func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: url(name)))
    }

    static func blob(_ name: String) throws -> Blob { Blob(try bytes(name)) }
}

/// Asserts that `body` throws exactly `expected`.
func XCTAssertThrows<T>(
    _ expected: DeviceTreeError, _ body: () throws(DeviceTreeError) -> T,
    file: StaticString = #filePath, line: UInt = #line
) {
    do {
        _ = try body()
        XCTFail("expected \(expected), nothing thrown", file: file, line: line)
    } catch {
        XCTAssertEqual(error, expected, file: file, line: line)
    }
}

/// Bytes as a String, for assertions on names and values.
func text(_ bytes: UnsafeRawBufferPointer?) -> String? {
    bytes.map { String(decoding: $0, as: UTF8.self) }
}

func setWord(_ blob: inout [UInt8], at offset: Int, _ value: UInt32) {
    for index in 0..<4 { blob[offset + index] = UInt8(truncatingIfNeeded: value >> (24 - 8 * index)) }
}

func word(_ blob: [UInt8], at offset: Int) -> UInt32 {
    (0..<4).reduce(0) { $0 << 8 | UInt32(blob[offset + $1]) }
}

/// Assembles small blobs token by token: header (40 bytes), reservations, structure, strings.
struct BlobBuilder {
    var version: UInt32 = 17
    var lastCompatibleVersion: UInt32 = 16
    var reservations: [(address: UInt64, size: UInt64)] = []
    var terminateReservations = true
    var structure: [UInt8] = []
    var strings: [UInt8] = []

    mutating func token(_ value: UInt32) {
        structure += [UInt8(value >> 24), UInt8(value >> 16 & 0xff), UInt8(value >> 8 & 0xff), UInt8(value & 0xff)]
    }

    mutating func pad() {
        while structure.count % 4 != 0 { structure.append(0) }
    }

    mutating func beginNode(_ name: String) {
        token(1)
        structure += Array(name.utf8) + [0]
        pad()
    }

    mutating func endNode() { token(2) }
    mutating func nop() { token(4) }
    mutating func end() { token(9) }

    /// The offset of `name` in the strings block, adding it if new.
    mutating func nameOffset(_ name: String) -> UInt32 {
        let needle = Array(name.utf8) + [0]
        var start = 0
        while start + needle.count <= strings.count {
            if Array(strings[start..<start + needle.count]) == needle, start == 0 || strings[start - 1] == 0 {
                return UInt32(start)
            }
            start += 1
        }
        strings += needle
        return UInt32(strings.count - needle.count)
    }

    mutating func property(_ name: String, _ value: [UInt8] = []) {
        property(nameOffset: nameOffset(name), value)
    }

    mutating func property(_ name: String, cells: [UInt32]) {
        property(name, cells.flatMap { [UInt8($0 >> 24), UInt8($0 >> 16 & 0xff), UInt8($0 >> 8 & 0xff), UInt8($0 & 0xff)] })
    }

    mutating func property(_ name: String, string: String) {
        property(name, Array(string.utf8) + [0])
    }

    mutating func property(nameOffset: UInt32, _ value: [UInt8]) {
        token(3)
        token(UInt32(value.count))
        token(nameOffset)
        structure += value
        pad()
    }

    func build() -> [UInt8] {
        var reservationBytes: [UInt8] = []
        for entry in reservations + (terminateReservations ? [(0, 0)] : []) {
            for value in [entry.address, entry.size] {
                reservationBytes += (0..<8).map { UInt8(truncatingIfNeeded: value >> (56 - 8 * $0)) }
            }
        }
        let reservationsOffset = 40
        let structureOffset = reservationsOffset + reservationBytes.count
        let stringsOffset = structureOffset + structure.count
        let total = stringsOffset + strings.count
        var blob = [UInt8](repeating: 0, count: 40)
        setWord(&blob, at: 0, 0xd00d_feed)
        setWord(&blob, at: 4, UInt32(total))
        setWord(&blob, at: 8, UInt32(structureOffset))
        setWord(&blob, at: 12, UInt32(stringsOffset))
        setWord(&blob, at: 16, UInt32(reservationsOffset))
        setWord(&blob, at: 20, version)
        setWord(&blob, at: 24, lastCompatibleVersion)
        setWord(&blob, at: 32, UInt32(strings.count))
        setWord(&blob, at: 36, UInt32(structure.count))
        return blob + reservationBytes + structure + strings
    }

    /// A root with one child holding one property, ended properly.
    static func simple() -> BlobBuilder {
        var builder = BlobBuilder()
        builder.beginNode("")
        builder.property("compatible", string: "seal,simple")
        builder.beginNode("child@1")
        builder.property("reg", cells: [1, 2])
        builder.endNode()
        builder.endNode()
        builder.end()
        return builder
    }
}

// dtdump: prints a device tree blob line by line, in the format Tests/scripts/libfdt_dump.py
// prints with libfdt, so the two can be diffed.
//
// Usage: dtdump FILE.dtb
// Output, in file order: `memreserve 0x<address> 0x<size>` per reservation entry; then per
// node `node <path>`, and per property `prop <path> <name> <hex value or ->`; after a `reg`
// property, `reg <path> 0x<address> 0x<size>` per entry, decoded with the parent's
// #address-cells / #size-cells (defaults 2 and 1, used also when the property is not one
// cell), not translated, and only when the value is whole, non-empty entries. Numbers are
// the cells concatenated, in lowercase hex without leading zeros. A malformed blob: exit
// status 1 and `error: <reason>` on stderr.
import DeviceTree
import Foundation

/// Accumulates the output and writes it once.
struct Output {
    var bytes: [UInt8] = []
    static let hexDigits = Array("0123456789abcdef".utf8)

    mutating func append(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    mutating func append(_ raw: UnsafeRawBufferPointer) {
        bytes.append(contentsOf: raw)
    }

    mutating func append(_ array: [UInt8]) {
        bytes.append(contentsOf: array)
    }

    /// Bytes as lowercase hex pairs, or `-` when empty.
    mutating func appendHex(_ raw: UnsafeRawBufferPointer) {
        if raw.isEmpty {
            bytes.append(UInt8(ascii: "-"))
            return
        }
        for byte in raw {
            bytes.append(Output.hexDigits[Int(byte >> 4)])
            bytes.append(Output.hexDigits[Int(byte & 0xf)])
        }
    }

    /// `0x` and the big-endian number in `raw` (any width), without leading zeros.
    mutating func appendNumber(_ raw: UnsafeRawBufferPointer) {
        append("0x")
        var digits: [UInt8] = []
        for byte in raw {
            digits.append(Output.hexDigits[Int(byte >> 4)])
            digits.append(Output.hexDigits[Int(byte & 0xf)])
        }
        let significant = digits.drop { $0 == UInt8(ascii: "0") }
        if significant.isEmpty { bytes.append(UInt8(ascii: "0")) } else { bytes.append(contentsOf: significant) }
    }

    mutating func appendNumber(_ value: UInt64) {
        var big = value.bigEndian
        withUnsafeBytes(of: &big) { appendNumber($0) }
    }
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("error: \(message)\n".utf8))
    exit(1)
}

/// A cell-count property's value when it is one cell, else the default.
func cellCount(_ node: Node, _ name: StaticString, default defaultValue: UInt64) throws(DeviceTreeError) -> UInt64 {
    guard let property = try node.property(named: name), property.bytes.count == 4 else { return defaultValue }
    return UInt64(try property.u32)
}

func dump(_ blob: UnsafeRawBufferPointer) throws(DeviceTreeError) -> [UInt8] {
    let tree = try DeviceTree(checkingHeader: blob)
    try tree.validate()
    var output = Output()
    output.bytes.reserveCapacity(blob.count * 3)
    for reservation in tree.reservations {
        output.append("memreserve ")
        output.appendNumber(reservation.address)
        output.append(" ")
        output.appendNumber(reservation.size)
        output.append("\n")
    }
    // Per depth: the path so far, and the (#address-cells, #size-cells) that node gives its children.
    var paths: [[UInt8]] = []
    var childCells: [(address: UInt64, size: UInt64)] = []
    for node in tree.nodes {
        paths.removeSubrange(node.depth...)
        childCells.removeSubrange(node.depth...)
        var path = node.depth == 0 ? [UInt8(ascii: "/")] : paths[node.depth - 1]
        if node.depth > 1 { path.append(UInt8(ascii: "/")) }
        path.append(contentsOf: node.name)
        paths.append(path)
        childCells.append((try cellCount(node, "#address-cells", default: 2), try cellCount(node, "#size-cells", default: 1)))
        let cells = node.depth == 0 ? (address: 2, size: 1) : childCells[node.depth - 1]

        output.append("node ")
        output.append(path)
        output.append("\n")
        for property in node.properties {
            output.append("prop ")
            output.append(path)
            output.append(" ")
            output.append(property.name)
            output.append(" ")
            output.appendHex(property.bytes)
            output.append("\n")
            guard property.name.equals("reg") else { continue }
            let entrySize = (cells.address + cells.size) * 4
            guard entrySize > 0, UInt64(property.bytes.count) % entrySize == 0 else { continue }
            let addressBytes = Int(cells.address * 4)
            var offset = 0
            while offset < property.bytes.count {
                let entry = UnsafeRawBufferPointer(rebasing: property.bytes[offset..<offset + Int(entrySize)])
                output.append("reg ")
                output.append(path)
                output.append(" ")
                output.appendNumber(UnsafeRawBufferPointer(rebasing: entry[0..<addressBytes]))
                output.append(" ")
                output.appendNumber(UnsafeRawBufferPointer(rebasing: entry[addressBytes...]))
                output.append("\n")
                offset += Int(entrySize)
            }
        }
    }
    return output.bytes
}

let arguments = CommandLine.arguments
guard arguments.count == 2 else { fail("usage: dtdump FILE.dtb") }
guard let data = FileManager.default.contents(atPath: arguments[1]) else { fail("cannot read \(arguments[1])") }
let result: Result<[UInt8], DeviceTreeError> = data.withUnsafeBytes { blob in
    Result { () throws(DeviceTreeError) -> [UInt8] in try dump(blob) }
}
switch result {
case .success(let bytes):
    bytes.withUnsafeBufferPointer { _ = fwrite($0.baseAddress, 1, $0.count, stdout) }
    fflush(stdout)
case .failure(let error):
    fail("\(error.reason)")
}

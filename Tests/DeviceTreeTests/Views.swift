// Views: the same summary of a blob (nodes, paths, properties, reservations) taken through
// libfdt and through DeviceTree, so the differential tests can compare them with ==.
import DeviceTree
import LibFDT
import XCTest

struct PropertyView: Equatable, CustomStringConvertible {
    let offset: Int
    let name: [UInt8]
    let value: [UInt8]
    var description: String { "\(offset) \(String(decoding: name, as: UTF8.self)) \(value.count)B" }
}

struct NodeView: Equatable, CustomStringConvertible {
    let offset: Int
    let depth: Int
    let name: [UInt8]
    let path: [UInt8]
    let parentOffset: Int
    let properties: [PropertyView]
    var description: String { "\(offset) d\(depth) \(String(decoding: path, as: UTF8.self)) \(properties)" }
}

struct TreeView: Equatable {
    var reservations: [AddressRange] = []
    var nodes: [NodeView] = []
}

enum LibFDTView {
    /// libfdt's fdt_check_full on the blob.
    static func check(_ blob: UnsafeRawBufferPointer) -> Int32 {
        fdt_check_full(blob.baseAddress, blob.count)
    }

    /// The walk through libfdt; nil if any call fails (only used on blobs libfdt accepts).
    static func view(_ blob: UnsafeRawBufferPointer) -> TreeView? {
        let fdt = blob.baseAddress
        var view = TreeView()
        let count = fdt_num_mem_rsv(fdt)
        guard count >= 0 else { return nil }
        for index in 0..<count {
            var address: UInt64 = 0
            var size: UInt64 = 0
            guard fdt_get_mem_rsv(fdt, index, &address, &size) == 0 else { return nil }
            view.reservations.append(AddressRange(address: address, size: size))
        }
        var depth: Int32 = -1
        var offset = fdt_next_node(fdt, -1, &depth)
        var pathBuffer = [CChar](repeating: 0, count: 8192)
        while offset >= 0, depth >= 0 {
            var nameLength: Int32 = 0
            guard let name = fdt_get_name(fdt, offset, &nameLength), nameLength >= 0 else { return nil }
            guard fdt_get_path(fdt, offset, &pathBuffer, Int32(pathBuffer.count)) == 0 else { return nil }
            let path = pathBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
            let parent = depth == 0 ? -1 : Int(fdt_parent_offset(fdt, offset))
            var properties: [PropertyView] = []
            var property = fdt_first_property_offset(fdt, offset)
            while property >= 0 {
                var propertyName: UnsafePointer<CChar>?
                var length: Int32 = 0
                guard let value = fdt_getprop_by_offset(fdt, property, &propertyName, &length), let propertyName else {
                    return nil
                }
                properties.append(PropertyView(
                    offset: Int(property),
                    name: Array(UnsafeRawBufferPointer(start: propertyName, count: strlen(propertyName))),
                    value: Array(UnsafeRawBufferPointer(start: value, count: Int(length)))))
                property = fdt_next_property_offset(fdt, property)
            }
            guard property == -FDT_ERR_NOTFOUND else { return nil }
            view.nodes.append(NodeView(
                offset: Int(offset), depth: Int(depth),
                name: Array(UnsafeRawBufferPointer(start: name, count: Int(nameLength))),
                path: path, parentOffset: parent, properties: properties))
            offset = fdt_next_node(fdt, offset, &depth)
        }
        return view
    }
}

enum DeviceTreeView {
    /// The walk through DeviceTree's sequences.
    static func view(_ tree: DeviceTree) throws -> TreeView {
        var view = TreeView()
        view.reservations = Array(tree.reservations)
        var paths: [[UInt8]] = []
        for node in tree.nodes {
            paths.removeSubrange(node.depth...)
            var path: [UInt8] = node.depth == 0 ? Array("/".utf8) : paths[node.depth - 1]
            if node.depth > 1 { path.append(UInt8(ascii: "/")) }
            path += node.name
            paths.append(path)
            view.nodes.append(NodeView(
                offset: node.offset, depth: node.depth, name: Array(node.name), path: path,
                parentOffset: try node.parent?.offset ?? -1,
                properties: node.properties.map { PropertyView(offset: $0.offset, name: Array($0.name), value: Array($0.bytes)) }))
        }
        return view
    }
}

/// Deterministic pseudo-random numbers (SplitMix64), so the mutation corpus is the same on every run.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var value = state
        value = (value ^ (value >> 30)) &* 0xbf58_476d_1ce4_e5b9
        value = (value ^ (value >> 27)) &* 0x94d0_49bb_1331_11eb
        return value ^ (value >> 31)
    }
}

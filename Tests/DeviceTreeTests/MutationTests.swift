// MutationTests: a few thousand deterministic corruptions of the fixtures (truncations, bit
// flips, header-field and token rewrites) checked against libfdt's fdt_check_full. Nothing
// may trap or hang; where both accept, both walks must agree; where they disagree, the
// disagreement must be one of the documented, independently confirmed differences.
import DeviceTree
import LibFDT
import XCTest

final class MutationTests: XCTestCase {
    struct Header {
        let fields: [UInt32]
        init?(_ bytes: [UInt8]) {
            guard bytes.count >= 40 else { return nil }
            fields = (0..<10).map { word(bytes, at: $0 * 4) }
        }
        var totalSize: UInt32 { fields[1] }
        var structureOffset: UInt32 { fields[2] }
        var stringsOffset: UInt32 { fields[3] }
        var reservationsOffset: UInt32 { fields[4] }
        var version: UInt32 { fields[5] }
        var stringsSize: UInt32 { fields[8] }
        var structureSize: UInt32 { fields[9] }
    }

    /// What libfdt's own tag walk shows about the structure block.
    struct TagWalk {
        var propertyOutsideNode = false
        var propertyAfterSubnode = false
        var missingRoot = false
        var nopAfterRoot = false
        var slashInName = false
        /// A property whose length field is so large that libfdt's offset arithmetic wraps.
        var wrappingPropertyLength = false
        var maximumDepth = 0

        init(_ blob: UnsafeRawBufferPointer) {
            let fdt = blob.baseAddress!
            let structureOffset = Int(blob.loadUnaligned(fromByteOffset: 8, as: UInt32.self).bigEndian)
            var offset: Int32 = 0
            var depth = 0
            var subnodeSeen = false
            var rootOpened = false
            var rootClosed = false
            while true {
                var next: Int32 = 0
                let tag = Int32(bitPattern: fdt_next_tag(fdt, offset, &next))
                if next < 0 { return }
                switch tag {
                case FDT_BEGIN_NODE:
                    var length: Int32 = 0
                    if let name = fdt_get_name(fdt, offset, &length), length > 0,
                       UnsafeRawBufferPointer(start: name, count: Int(length)).contains(UInt8(ascii: "/")) {
                        slashInName = true
                    }
                    depth += 1
                    maximumDepth = max(maximumDepth, depth)
                    subnodeSeen = false
                    rootOpened = true
                case FDT_END_NODE:
                    depth -= 1
                    subnodeSeen = true
                    if depth == 0 { rootClosed = true }
                case FDT_PROP:
                    let lengthField = structureOffset + Int(offset) + 4
                    if lengthField + 4 <= blob.count,
                       blob.loadUnaligned(fromByteOffset: lengthField, as: UInt32.self).bigEndian >= 0x8000_0000 {
                        wrappingPropertyLength = true
                    }
                    if depth <= 0 { propertyOutsideNode = true }
                    if subnodeSeen && depth > 0 { propertyAfterSubnode = true }
                case FDT_NOP:
                    if rootClosed { nopAfterRoot = true }
                case FDT_END:
                    missingRoot = !rootOpened
                    return
                default:
                    return
                }
                offset = next
            }
        }
    }

    /// Why DeviceTree may reject what libfdt accepts (nil: it may not). Each reason is
    /// confirmed from the bytes or through libfdt, not taken from DeviceTree.
    func stricterReason(_ error: DeviceTreeError, _ blob: Blob) -> String? {
        guard let header = Header(blob.array), let fdt = blob.bytes.baseAddress else { return nil }
        let walk = TagWalk(blob.bytes)
        let isVersion16 = header.version == 16
        switch error {
        case .badVersion where header.version < 16:
            return "version \(header.version) < 16 (libfdt reads 2...15)"
        case .misalignedBlock where header.reservationsOffset % 8 != 0 || header.structureOffset % 4 != 0:
            return "misaligned block"
        case .overlappingBlocks:
            let blocks = [
                (Int(header.reservationsOffset), 16),
                (Int(header.structureOffset), isVersion16 ? 0 : Int(header.structureSize)),
                (Int(header.stringsOffset), Int(header.stringsSize)),
            ]
            for (index, first) in blocks.enumerated() {
                for second in blocks[(index + 1)...] where first.1 > 0 && second.1 > 0 {
                    if first.0 < second.0 + second.1 && second.0 < first.0 + first.1 { return "overlapping blocks" }
                }
            }
            return nil
        case .unterminatedReservations:
            let count = fdt_num_mem_rsv(fdt)
            guard count >= 0 else { return nil }
            let end = Int(header.reservationsOffset) + 16 * (Int(count) + 1)
            let starts = [(header.structureOffset, isVersion16 ? 1 : header.structureSize),
                          (header.stringsOffset, header.stringsSize)]
                .filter { $0.1 > 0 && $0.0 > header.reservationsOffset }.map { Int($0.0) }
            return starts.contains { end > $0 } ? "reservations run into the next block" : nil
        case .propertyOutsideNode where walk.propertyOutsideNode:
            return "property outside a node"
        case .propertyAfterSubnode where walk.propertyAfterSubnode:
            return "property after a subnode"
        case .missingRootNode where walk.missingRoot:
            return "no root node"
        case .badNodeName where walk.slashInName:
            return "'/' in a node name (libfdt's fdt_get_path then builds wrong paths)"
        case .truncatedStructure where walk.wrappingPropertyLength:
            return "property length >= 2^31 (libfdt's int offset arithmetic wraps)"
        case .nestingTooDeep where walk.maximumDepth > DeviceTree.maximumDepth:
            return "nesting deeper than \(DeviceTree.maximumDepth)"
        case .truncatedStructure, .missingEnd, .propertyNameOutOfBounds, .unterminatedPropertyName, .badToken:
            // Version 16 has no size_dt_struct: DeviceTree ends the structure block at the next
            // block and keeps names inside size_dt_strings; libfdt uses totalsize for both.
            return isVersion16 ? "version-16 block limits" : nil
        default:
            return nil
        }
    }

    /// Why DeviceTree may accept what libfdt rejects (nil: it may not).
    func lenientReason(_ blob: Blob) -> String? {
        guard blob.bytes.count >= 40 else { return nil }
        return TagWalk(blob.bytes).nopAfterRoot ? "NOP after the root (libfdt expects END only)" : nil
    }

    /// The base blob cut to the end of its last block, with totalsize to match.
    func trimmed(_ bytes: [UInt8]) -> [UInt8] {
        let header = Header(bytes)!
        let end = max(Int(header.structureOffset + header.structureSize), Int(header.stringsOffset + header.stringsSize))
        var copy = Array(bytes.prefix(end))
        setWord(&copy, at: 4, UInt32(end))
        return copy
    }

    func mutations(of base: [UInt8], generator: inout SplitMix64) -> [(String, [UInt8])] {
        var result: [(String, [UInt8])] = []
        let header = Header(base)!
        let structureStart = Int(header.structureOffset)
        let tokenCount = Int(header.version >= 17 ? header.structureSize : header.stringsOffset - header.structureOffset) / 4
        func random(_ range: Range<Int>) -> Int { Int.random(in: range, using: &generator) }

        for _ in 0..<40 {
            let length = random(0..<base.count)
            result.append(("truncate to \(length)", Array(base.prefix(length))))
        }
        for _ in 0..<60 {
            let length = random(0..<base.count)
            var cut = Array(base.prefix(length))
            if cut.count >= 8 { setWord(&cut, at: 4, UInt32(length)) }
            result.append(("truncate to \(length) with totalsize", cut))
        }
        for _ in 0..<220 {
            var copy = base
            var description = "flip"
            for _ in 0..<random(1..<4) {
                let bit = random(0..<base.count * 8)
                copy[bit / 8] ^= 1 << UInt8(bit % 8)
                description += " \(bit / 8).\(bit % 8)"
            }
            result.append((description, copy))
        }
        let interesting: [UInt32] = [0, 1, 3, 4, 8, 16, 17, 36, 40, 0x7fff_ffff, 0x8000_0000, 0xffff_fff0, 0xffff_ffff]
        for _ in 0..<120 {
            var copy = base
            let field = random(1..<10)
            let old = word(base, at: field * 4)
            let value: UInt32
            switch random(0..<4) {
            case 0: value = interesting[random(0..<interesting.count)]
            case 1: value = old &+ UInt32(bitPattern: Int32(random(-16..<17)))
            case 2: value = UInt32(random(0..<base.count + 64))
            default: value = UInt32.random(in: .min ... .max, using: &generator)
            }
            setWord(&copy, at: field * 4, value)
            result.append(("header word \(field) = \(value)", copy))
        }
        for _ in 0..<120 where tokenCount > 0 {
            var copy = base
            let position = structureStart + 4 * random(0..<tokenCount)
            let tokens: [UInt32] = [1, 2, 3, 4, 9, 0, 5, 0xffff_ffff]
            let value = random(0..<2) == 0 ? tokens[random(0..<tokens.count)] : UInt32(random(0..<4096))
            setWord(&copy, at: position, value)
            result.append(("structure word \(position) = \(value)", copy))
        }
        for _ in 0..<40 {
            var copy = base
            let start = random(0..<base.count)
            let fill: [UInt8] = [0x00, 0xff, UInt8(random(0..<256))]
            let byte = fill[random(0..<3)]
            for index in start..<min(base.count, start + random(1..<9)) { copy[index] = byte }
            result.append(("splat \(byte) at \(start)", copy))
        }
        return result
    }

    func testMutatedFixturesAgainstLibFDT() throws {
        var generator = SplitMix64(state: 0x5ea1_d7b0_0000_0001)
        var bothAccepted = 0
        var bothRejected = 0
        var explained: [String: Int] = [:]
        var failures: [String] = []
        var total = 0
        for name in Fixture.dtbNames {
            let original = try Fixture.bytes(name)
            let base = trimmed(original)
            var corpus = mutations(of: base, generator: &generator)
            if original.count != base.count {
                // A few on the full 1 MiB QEMU blob, whose totalsize includes free space.
                corpus += mutations(of: original, generator: &generator).prefix(60)
            }
            for (description, bytes) in corpus {
                total += 1
                let blob = Blob(bytes)
                let reference = LibFDTView.check(blob.bytes)
                var ours: DeviceTreeError?
                var tree: DeviceTree?
                do {
                    tree = try blob.tree()
                    try tree!.validate()
                } catch let error as DeviceTreeError {
                    ours = error
                }
                if let tree { exerciseEverything(tree) }
                let label = "\(name): \(description): libfdt \(reference), ours \(ours.map { "\($0)" } ?? "ok")"
                switch (reference == 0, ours) {
                case (true, nil):
                    bothAccepted += 1
                    guard let theirs = LibFDTView.view(blob.bytes) else {
                        failures.append("\(label): libfdt walk failed")
                        continue
                    }
                    let mine = try DeviceTreeView.view(tree!)
                    if mine != theirs {
                        let difference = zip(mine.nodes, theirs.nodes).first { $0 != $1 }
                        failures.append("\(label): walks differ: \(difference.map { "\($0) vs \($1)" } ?? "counts")")
                    }
                case (true, let error?):
                    if let reason = stricterReason(error, blob) {
                        explained["stricter: \(reason)", default: 0] += 1
                    } else {
                        failures.append("\(label): DeviceTree rejects what libfdt accepts")
                    }
                case (false, nil):
                    if let reason = lenientReason(blob) {
                        explained["more lenient: \(reason)", default: 0] += 1
                    } else {
                        failures.append("\(label): DeviceTree accepts what libfdt rejects")
                    }
                case (false, _?):
                    bothRejected += 1
                }
            }
        }
        print("mutations: \(total), both accepted \(bothAccepted), both rejected \(bothRejected), explained \(explained)")
        XCTAssertGreaterThan(total, 3000)
        XCTAssertTrue(failures.isEmpty, "\(failures.count) unexplained:\n" + failures.prefix(20).joined(separator: "\n"))
    }
}

/// Out-of-order ranges past a stream's contiguous end, in a fixed number of slots.

/// Byte ranges received ahead of the next expected byte, as offsets from it, kept sorted
/// and merged. Full slots make `insert` refuse, so a hostile peer cannot grow it.
struct Assembler {
    private var ranges: [Range<Int>]
    private let limit: Int

    init(slots: Int) {
        limit = max(slots, 1)
        ranges = []
        ranges.reserveCapacity(limit + 1)
    }

    private init() {
        limit = 1
        ranges = []
    }

    /// A storage-less stand-in, only for swapping a real assembler out.
    static var placeholder: Assembler { Assembler() }

    var isEmpty: Bool { ranges.isEmpty }
    var rangeCount: Int { ranges.count }
    /// One past the last byte held, 0 when empty.
    var end: Int { ranges.last?.upperBound ?? 0 }

    /// Records `range` (non-empty, lower bound > 0); false when it needs a slot and none is free.
    mutating func insert(_ range: Range<Int>) -> Bool {
        guard !range.isEmpty else { return true }
        var merged = range
        var first = ranges.count
        var last = -1
        for (index, existing) in ranges.enumerated()
        where existing.lowerBound <= merged.upperBound && merged.lowerBound <= existing.upperBound {
            merged = min(merged.lowerBound, existing.lowerBound)..<max(merged.upperBound, existing.upperBound)
            first = min(first, index)
            last = index
        }
        if last >= 0 {
            ranges.replaceSubrange(first...last, with: CollectionOfOne(merged))
            return true
        }
        guard ranges.count < limit else { return false }
        var position = 0
        while position < ranges.count && ranges[position].lowerBound < merged.lowerBound { position += 1 }
        ranges.insert(merged, at: position)
        return true
    }

    /// Moves the origin forward by `length` (bytes that became contiguous) and returns how
    /// many further bytes are now contiguous from the new origin.
    mutating func advance(by length: Int) -> Int {
        var index = 0
        while index < ranges.count {
            let range = ranges[index]
            let lower = max(range.lowerBound - length, 0)
            let upper = range.upperBound - length
            if upper <= 0 { ranges.remove(at: index); continue }
            ranges[index] = lower..<upper
            index += 1
        }
        if let first = ranges.first, first.lowerBound == 0 {
            ranges.removeFirst()
            let extra = first.upperBound
            for index in ranges.indices {
                ranges[index] = (ranges[index].lowerBound - extra)..<(ranges[index].upperBound - extra)
            }
            return extra
        }
        return 0
    }

    mutating func removeAll() { ranges.removeAll(keepingCapacity: true) }
}

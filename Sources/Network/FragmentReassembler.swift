/// IPv4 fragment reassembly (RFC 791 3.2, RFC 815) in fixed slots, with a timeout, a size
/// bound and overlap rejection; every datagram it gives up on is counted.

import Capabilities

struct FragmentReassembler {
    struct Key: Equatable {
        var source: IPv4Address
        var destination: IPv4Address
        var identification: UInt16
        var protocolNumber: UInt8
    }

    struct Slot {
        var key: Key? = nil
        var bytes: [UInt8]
        /// One bit per 8-byte block received (fragment offsets count 8-byte units).
        var blocks: [UInt64]
        var totalLength: Int? = nil
        var deadline = Instant.zero
    }

    enum Outcome: Equatable {
        case incomplete
        /// The whole payload is in `slots[slot].bytes[0..<length]`; release the slot after use.
        case complete(slot: Int, length: Int)
        case overlap
        case tooLarge
        case noSlot
        case malformed
    }

    var slots: [Slot]
    let capacity: Int

    init(slots count: Int, capacity: Int) {
        self.capacity = capacity
        let blockWords = (capacity / 8 + 63) / 64
        slots = []
        slots.reserveCapacity(count)
        for _ in 0..<count {
            slots.append(Slot(bytes: [UInt8](repeating: 0, count: capacity),
                              blocks: [UInt64](repeating: 0, count: max(blockWords, 1))))
        }
    }

    /// Adds one fragment (its IP payload) of the datagram `key`.
    mutating func insert(_ key: Key, offset: Int, moreFragments: Bool, payload: UnsafeRawBufferPointer,
                         now: Instant, timeout: Duration) -> Outcome {
        // RFC 791: every fragment but the last carries a multiple of 8 bytes.
        if moreFragments && (payload.count % 8 != 0 || payload.isEmpty) { return .malformed }
        var index = slots.firstIndex { $0.key == key }
        let end = offset + payload.count
        guard end <= capacity else {
            if let index { release(index) }
            return .tooLarge
        }
        if index == nil {
            guard let free = slots.firstIndex(where: { $0.key == nil }) else { return .noSlot }
            slots[free].key = key
            slots[free].totalLength = nil
            slots[free].deadline = now.advanced(by: timeout)  // RFC 791: the timer starts with the first fragment.
            for word in slots[free].blocks.indices { slots[free].blocks[word] = 0 }
            index = free
        }
        let slot = index!
        if !moreFragments {
            if let total = slots[slot].totalLength, total != end { release(slot); return .overlap }
            slots[slot].totalLength = end
        }
        if let total = slots[slot].totalLength, end > total { release(slot); return .overlap }
        // Overlapping fragments are an attack, not a retransmission worth merging: drop all
        // (the rule RFC 5722 sets for IPv6, applied here too).
        let firstBlock = offset / 8
        let lastBlock = (end + 7) / 8
        for block in firstBlock..<lastBlock where testBlock(slot, block) { release(slot); return .overlap }
        for block in firstBlock..<lastBlock { setBlock(slot, block) }
        slots[slot].bytes.withUnsafeMutableBytes { $0.copy(payload, at: offset) }
        guard let total = slots[slot].totalLength else { return .incomplete }
        for block in 0..<(total + 7) / 8 where !testBlock(slot, block) { return .incomplete }
        return .complete(slot: slot, length: total)
    }

    private func testBlock(_ slot: Int, _ block: Int) -> Bool {
        slots[slot].blocks[block / 64] & (1 << UInt64(block % 64)) != 0
    }

    private mutating func setBlock(_ slot: Int, _ block: Int) {
        slots[slot].blocks[block / 64] |= 1 << UInt64(block % 64)
    }

    mutating func release(_ slot: Int) { slots[slot].key = nil }

    /// Drops datagrams whose timer ran out; returns how many.
    mutating func expire(now: Instant) -> Int {
        var expired = 0
        for index in slots.indices where slots[index].key != nil && slots[index].deadline <= now {
            release(index)
            expired += 1
        }
        return expired
    }

    var nextDeadline: Instant? {
        var earliest: Instant? = nil
        for slot in slots where slot.key != nil {
            if earliest == nil || slot.deadline < earliest! { earliest = slot.deadline }
        }
        return earliest
    }
}

/// The ARP table (RFC 826, RFC 1122 2.3.2.1): resolved entries that expire, and entries
/// being resolved with their retry schedule, in a fixed number of slots.

import Capabilities

struct ARPCache {
    struct Entry {
        var inUse = false
        var address = IPv4Address.any
        var hardware = MACAddress.zero
        var resolved = false
        /// Resolved: when the entry expires. Resolving: when to send the next request.
        var deadline = Instant.zero
        var attempts = 0
        /// A unicast refresh was sent for this resolved entry.
        var refreshing = false
    }

    private(set) var entries: [Entry]

    init(capacity: Int) { entries = [Entry](repeating: Entry(), count: max(capacity, 1)) }

    /// The MAC of a resolved, unexpired entry.
    func lookup(_ address: IPv4Address, now: Instant) -> MACAddress? {
        for entry in entries where entry.inUse && entry.resolved && entry.address == address {
            return entry.deadline > now ? entry.hardware : nil
        }
        return nil
    }

    /// For a resolved entry used within `window` of its expiry: marks it and returns its MAC,
    /// once, so the caller can poll the host directly (RFC 1122 2.3.2.1) before traffic stalls.
    mutating func refreshIfExpiring(_ address: IPv4Address, now: Instant, window: Duration) -> MACAddress? {
        guard let index = index(of: address), entries[index].resolved, !entries[index].refreshing,
              entries[index].deadline > now, entries[index].deadline.duration(since: now) <= window else { return nil }
        entries[index].refreshing = true
        return entries[index].hardware
    }

    func index(of address: IPv4Address) -> Int? {
        entries.firstIndex { $0.inUse && $0.address == address }
    }

    /// RFC 826's merge step: refreshes an existing entry; adds one only when `insert` (we are
    /// the target). Returns whether the address is now resolved in the table.
    mutating func update(_ address: IPv4Address, hardware: MACAddress, now: Instant, lifetime: Duration,
                         insert: Bool) -> Bool {
        let slot: Int
        if let existing = index(of: address) {
            slot = existing
        } else if insert {
            slot = freeSlot(now: now)
        } else {
            return false
        }
        entries[slot] = Entry(inUse: true, address: address, hardware: hardware, resolved: true,
                              deadline: now.advanced(by: lifetime), attempts: 0)
        return true
    }

    /// Starts resolving `address` unless that is under way; returns true when a request
    /// should go out now.
    mutating func beginResolving(_ address: IPv4Address, now: Instant, retryInterval: Duration) -> Bool {
        if let existing = index(of: address) {
            if !entries[existing].resolved { return false }
            entries[existing].resolved = false
            entries[existing].attempts = 1
            entries[existing].deadline = now.advanced(by: retryInterval)
            return true
        }
        let slot = freeSlot(now: now)
        entries[slot] = Entry(inUse: true, address: address, hardware: .zero, resolved: false,
                              deadline: now.advanced(by: retryInterval), attempts: 1)
        return true
    }

    mutating func remove(at index: Int) { entries[index] = Entry() }

    /// Counts one more request for the entry being resolved at `index`.
    mutating func scheduleRetry(at index: Int, deadline: Instant) {
        entries[index].attempts += 1
        entries[index].deadline = deadline
    }

    /// A free slot, else an expired one, else the oldest unanswered resolution, else the
    /// resolved entry closest to expiry: guesses go before answers, so traffic towards
    /// addresses that never answer cannot push out the hosts we talk to.
    private func freeSlot(now: Instant) -> Int {
        if let free = entries.firstIndex(where: { !$0.inUse }) { return free }
        if let expired = entries.firstIndex(where: { $0.resolved && $0.deadline <= now }) { return expired }
        var best = 0
        for index in entries.indices {
            let candidate = entries[index]
            let current = entries[best]
            if candidate.resolved != current.resolved {
                if !candidate.resolved { best = index }
            } else if candidate.deadline < current.deadline {
                best = index
            }
        }
        return best
    }

    /// The earliest retry among entries being resolved.
    var nextRetry: Instant? {
        var earliest: Instant? = nil
        for entry in entries where entry.inUse && !entry.resolved {
            if earliest == nil || entry.deadline < earliest! { earliest = entry.deadline }
        }
        return earliest
    }
}

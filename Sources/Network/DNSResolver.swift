/// The DNS stub resolver's queries (RFC 1035 7, RFC 5452 9.2): fixed slots, each with its
/// encoded name, a random id and source port per attempt, retries and a result.

import Capabilities

/// A handle to one lookup.
public struct DNSQuery: Hashable, Sendable {
    let index: Int
    let generation: UInt32
}

/// Why a lookup failed or could not start.
public enum DNSError: Error, Equatable, Sendable {
    /// Empty, longer than 253 bytes, an empty label or a label over 63 bytes.
    case invalidName
    case noServer
    case noFreeSlot
    case timedOut
    case nameNotFound
    case serverFailure
    case truncated
}

/// A lookup's outcome so far.
public enum DNSResult: Equatable, Sendable {
    case pending
    case resolved(IPv4Address)
    case failed(DNSError)
}

struct DNSResolver {
    static let serverPort: UInt16 = 53

    struct Slot {
        var generation: UInt32 = 0
        var inUse = false
        var result = DNSResult.pending
        /// The name as DNS labels, terminating zero included.
        var name: [UInt8]
        var identifier: UInt16 = 0
        var port: UInt16 = 0
        var server = IPv4Address.any
        var attempts = 0
        var deadline = Instant.zero
    }

    var slots: [Slot]

    init(slots count: Int) {
        slots = []
        for _ in 0..<max(count, 1) {
            var name: [UInt8] = []
            name.reserveCapacity(256)
            slots.append(Slot(name: name))
        }
    }

    /// Encodes dotted `text` into slot `index`'s labels (RFC 1035 2.3.4 limits).
    mutating func setName(_ text: UnsafeRawBufferPointer, slot index: Int) throws(DNSError) {
        var text = text
        if text.count > 0 && text[text.count - 1] == 0x2E { text = text.slice(0..<text.count - 1) }  // A trailing root dot.
        guard text.count > 0 && text.count <= 253 else { throw .invalidName }
        slots[index].name.removeAll(keepingCapacity: true)
        var labelStart = 0
        for position in 0...text.count {
            if position == text.count || text[position] == 0x2E {
                let length = position - labelStart
                guard length > 0 && length <= 63 else { throw .invalidName }
                slots[index].name.append(UInt8(length))
                for offset in labelStart..<position { slots[index].name.append(text[offset]) }
                labelStart = position + 1
            }
        }
        slots[index].name.append(0)
    }

    /// A reply on one of the resolver's ports: true when it belonged to a lookup (consumed).
    mutating func handleResponse(_ bytes: UnsafeRawBufferPointer, from source: IPv4Endpoint, toPort port: UInt16,
                                 counters: inout NetworkCounters) -> Bool {
        guard let index = slots.firstIndex(where: { $0.inUse && $0.result == .pending && $0.port == port }) else {
            return false
        }
        let packet = DNSPacket(unchecked: bytes)
        // RFC 5452 9.1: accept only a reply from the server asked, with the id sent.
        guard source.address == slots[index].server, packet.bytes.count >= DNSPacket.headerLength,
              packet.identifier == slots[index].identifier else {
            counters.dnsMismatched &+= 1
            return true
        }
        let parsed = slots[index].name.withUnsafeBytes { DNSResolver.answer(packet, name: $0) }
        guard let answer = parsed else {
            counters.dnsMalformed &+= 1
            return true  // Keep waiting: a retry may bring a good answer.
        }
        switch answer {
        case .address(let address): slots[index].result = .resolved(address)
        case .nameNotFound: slots[index].result = .failed(.nameNotFound)
        case .serverFailure: slots[index].result = .failed(.serverFailure)
        case .truncated: slots[index].result = .failed(.truncated)
        }
        return true
    }

    private static func answer(_ packet: DNSPacket, name: UnsafeRawBufferPointer) -> DNSAnswer? {
        do { return try DNSAnswer(parsing: packet, name: name) } catch { return nil }
    }

    var nextDeadline: Instant? {
        var earliest: Instant? = nil
        for slot in slots where slot.inUse && slot.result == .pending {
            if earliest == nil || slot.deadline < earliest! { earliest = slot.deadline }
        }
        return earliest
    }
}

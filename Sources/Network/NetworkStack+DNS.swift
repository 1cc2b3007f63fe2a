/// The DNS stub resolver wired to the stack: starting lookups, sending and retrying queries.

import Capabilities

extension NetworkStack {
    /// Starts looking up the A record of `name` ("example.com", as bytes). Poll, then read
    /// `result(of:)`. A slot whose lookup finished is reused, invalidating its old handle.
    public mutating func resolve(_ name: UnsafeRawBufferPointer) throws(DNSError) -> DNSQuery {
        guard let server = dnsServer, link.isConfigured else { throw .noServer }
        guard let index = dns.slots.firstIndex(where: { !$0.inUse || $0.result != .pending }) else { throw .noFreeSlot }
        try dns.setName(name, slot: index)
        dns.slots[index].inUse = true
        dns.slots[index].generation &+= 1
        dns.slots[index].result = .pending
        dns.slots[index].server = server
        dns.slots[index].attempts = 0
        dns.slots[index].deadline = now
        sendQuery(index)
        return DNSQuery(index: index, generation: dns.slots[index].generation)
    }

    /// The lookup's result; a stale handle reads as failed.
    public func result(of query: DNSQuery) -> DNSResult {
        guard query.index < dns.slots.count, dns.slots[query.index].generation == query.generation,
              dns.slots[query.index].inUse else { return .failed(.noFreeSlot) }
        return dns.slots[query.index].result
    }

    /// Frees the lookup's slot.
    public mutating func release(_ query: DNSQuery) {
        guard query.index < dns.slots.count, dns.slots[query.index].generation == query.generation else { return }
        dns.slots[query.index].inUse = false
    }

    mutating func pollDNS() {
        for index in dns.slots.indices where dns.slots[index].inUse && dns.slots[index].result == .pending
            && dns.slots[index].deadline <= now {
            if dns.slots[index].attempts >= limits.dnsAttempts {
                dns.slots[index].result = .failed(.timedOut)
            } else {
                sendQuery(index)
            }
        }
    }

    /// Sends one attempt from a fresh random port with a fresh random id (RFC 5452 9.2),
    /// doubling the timeout per attempt.
    private mutating func sendQuery(_ index: Int) {
        var port: UInt16 = 0
        for _ in 0..<16 {
            let candidate = UInt16(49152 + entropy.next(below: 16384))
            if !udpSockets.contains(where: { $0.port == candidate }) && !dns.slots.contains(where: { $0.port == candidate }) {
                port = candidate
                break
            }
        }
        dns.slots[index].port = port
        dns.slots[index].identifier = random16()
        dns.slots[index].attempts += 1
        let timeout = limits.dnsTimeout.nanoseconds << UInt64(min(dns.slots[index].attempts - 1, 4))
        dns.slots[index].deadline = now.advanced(by: Duration(nanoseconds: timeout))
        let identifier = dns.slots[index].identifier
        let server = IPv4Endpoint(address: dns.slots[index].server, port: DNSResolver.serverPort)
        let length = DNSPacket.queryLength(nameLength: dns.slots[index].name.count)
        var name: [UInt8] = []
        swap(&name, &dns.slots[index].name)
        do {
            try sendUDP(length: length, from: port, to: server) { buffer in
                name.withUnsafeBytes { _ = DNSPacket.emitQuery(into: buffer, identifier: identifier, name: $0) }
            }
        } catch {
            // Not sent (no buffer, ARP queue full): the retry timer sends again.
        }
        swap(&name, &dns.slots[index].name)
    }
}

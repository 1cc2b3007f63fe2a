/// The DHCP client wired to the stack: sending DISCOVER and REQUEST, taking OFFER, ACK and
/// NAK, and applying or dropping the lease.

import Capabilities

extension NetworkStack {
    /// Where the DHCP client is; `.disabled` with a fixed address.
    public var dhcpState: DHCPState { dhcp.state }

    mutating func handleDHCP(_ bytes: UnsafeRawBufferPointer, from source: IPv4Address) {
        let reply: DHCPReply
        do { reply = try DHCPReply(parsing: DHCPPacket(unchecked: bytes)) } catch { link.counters.dhcpMalformed &+= 1; return }
        guard reply.transactionID == dhcp.transactionID, reply.clientHardware == link.macAddress else { return }
        switch (dhcp.state, reply.type) {
        case (.selecting, .offer):
            guard !reply.yourAddress.isUnspecified, let server = reply.serverIdentifier else {
                link.counters.dhcpMalformed &+= 1
                return
            }
            dhcp.offeredAddress = reply.yourAddress
            dhcp.serverIdentifier = server
            dhcp.state = .requesting
            dhcp.attempts = 0
            sendDHCP(.request)
        case (.requesting, .acknowledge), (.renewing, .acknowledge), (.rebinding, .acknowledge):
            guard !reply.yourAddress.isUnspecified else { link.counters.dhcpMalformed &+= 1; return }
            dhcp.bind(reply, now: now)
            link.counters.dhcpLeases &+= 1
            setAddress(dhcp.address, prefixLength: dhcp.prefixLength, gateway: dhcp.router)
        case (.requesting, .negativeAcknowledge), (.renewing, .negativeAcknowledge), (.rebinding, .negativeAcknowledge):
            // RFC 2131 4.4.4 and 4.4.5: a NAK sends the client back to INIT.
            restartDHCP()
        default:
            break
        }
    }

    private mutating func restartDHCP() {
        if link.isConfigured && link.address == dhcp.address { clearAddress() }
        dhcp.state = .initial
        dhcp.deadline = now
        dhcp.attempts = 0
    }

    mutating func pollDHCP() {
        guard dhcp.state != .disabled else { return }
        if dhcp.state == .initial {
            dhcp.transactionID = UInt32(truncatingIfNeeded: entropy.next())
            dhcp.state = .selecting
            dhcp.attempts = 0
            sendDHCP(.discover)
            return
        }
        guard let deadline = dhcp.deadline, deadline <= now else { return }
        switch dhcp.state {
        case .selecting:
            sendDHCP(.discover)
        case .requesting:
            if dhcp.attempts >= 4 { restartDHCP() } else { sendDHCP(.request) }
        case .bound:
            dhcp.state = .renewing
            dhcp.attempts = 0
            dhcp.transactionID = UInt32(truncatingIfNeeded: entropy.next())
            sendDHCP(.request)
        case .renewing:
            if now >= dhcp.leaseStart.advanced(by: dhcp.rebindingTime) {
                dhcp.state = .rebinding
                dhcp.attempts = 0
            }
            sendDHCP(.request)
        case .rebinding:
            if now >= dhcp.leaseExpiry { restartDHCP() } else { sendDHCP(.request) }
        case .initial, .disabled:
            break
        }
    }

    /// Sends DISCOVER or REQUEST as the state requires and schedules the next step.
    private mutating func sendDHCP(_ type: DHCPMessageType) {
        dhcp.attempts += 1
        let state = dhcp.state
        let jitter = entropy.next(below: 2000)
        switch state {
        case .renewing:
            dhcp.deadline = now.advanced(by: DHCPClient.halfwayDelay(
                now: now, end: dhcp.leaseStart.advanced(by: dhcp.rebindingTime)))
            dhcp.deadline = min(dhcp.deadline!, dhcp.leaseStart.advanced(by: dhcp.rebindingTime))
        case .rebinding:
            dhcp.deadline = min(now.advanced(by: DHCPClient.halfwayDelay(now: now, end: dhcp.leaseExpiry)), dhcp.leaseExpiry)
        default:
            dhcp.deadline = now.advanced(by: DHCPClient.retransmissionDelay(attempt: dhcp.attempts, jitter: jitter))
        }
        // SELECTING's REQUEST names the offer and the server (RFC 2131 4.3.2); RENEWING and
        // REBINDING put the bound address in ciaddr instead.
        let selecting = state == .requesting
        let clientAddress = (state == .renewing || state == .rebinding) ? dhcp.address : IPv4Address.any
        let requested: IPv4Address? = selecting ? dhcp.offeredAddress : nil
        let server: IPv4Address? = selecting ? dhcp.serverIdentifier : nil
        let transactionID = dhcp.transactionID
        let hardware = link.macAddress
        // RENEWING is unicast to the server; everything else is broadcast.
        let destination = state == .renewing ? (dhcp.serverIdentifier ?? .broadcast) : IPv4Address.broadcast
        try? sendUDP(length: DHCPPacket.requestLength, from: DHCPClient.clientPort,
                     to: IPv4Endpoint(address: destination, port: DHCPClient.serverPort), allowUnconfigured: true) { buffer in
            DHCPPacket.emitRequest(into: buffer, type: type, transactionID: transactionID, hardware: hardware,
                                   clientAddress: clientAddress, requestedAddress: requested, serverIdentifier: server)
        }
    }
}

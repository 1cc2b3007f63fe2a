/// The DHCP client state machine (RFC 2131 4.4): INIT, SELECTING, REQUESTING, BOUND,
/// RENEWING, REBINDING, with retransmission backoff and lease timers.

import Capabilities

/// Where the DHCP client is (RFC 2131 figure 5).
public enum DHCPState: Equatable, Sendable {
    case disabled, initial, selecting, requesting, bound, renewing, rebinding
}

struct DHCPClient {
    static let clientPort: UInt16 = 68
    static let serverPort: UInt16 = 67

    var state: DHCPState
    var transactionID: UInt32 = 0
    var offeredAddress = IPv4Address.any
    var serverIdentifier: IPv4Address? = nil
    /// When the next message goes out (a retransmission or the next phase).
    var deadline: Instant? = nil
    var attempts = 0

    // The lease.
    var address = IPv4Address.any
    var prefixLength = 0
    var router: IPv4Address? = nil
    var dnsServer: IPv4Address? = nil
    var leaseStart = Instant.zero
    var leaseDuration = Duration.zero
    var renewalTime = Duration.zero
    var rebindingTime = Duration.zero

    init(enabled: Bool) { state = enabled ? .initial : .disabled }

    var nextDeadline: Instant? { state == .disabled ? nil : deadline }

    var leaseExpiry: Instant { leaseStart.advanced(by: leaseDuration) }

    /// RFC 2131 4.1: 4 s, doubling to 64 s, randomised by up to one second either way.
    static func retransmissionDelay(attempt: Int, jitter: UInt32) -> Duration {
        let base = UInt64(4) << UInt64(min(max(attempt - 1, 0), 4))
        return Duration(nanoseconds: base * 1_000_000_000 - 1_000_000_000 + UInt64(jitter % 2000) * 1_000_000)
    }

    /// RFC 2131 4.4.5: in RENEWING and REBINDING, wait half the time left to `end`, at least 60 s.
    static func halfwayDelay(now: Instant, end: Instant) -> Duration {
        let remaining = end.duration(since: now)
        return max(Duration(nanoseconds: remaining.nanoseconds / 2), .seconds(60))
    }

    /// Records an ACK's lease (RFC 2131 4.4.5's defaults: T1 = 0.5, T2 = 0.875 of the lease).
    mutating func bind(_ reply: DHCPReply, now: Instant) {
        address = reply.yourAddress
        prefixLength = DHCPClient.prefixLength(of: reply.subnetMask)
        router = reply.router
        dnsServer = reply.dnsServer
        if let server = reply.serverIdentifier { serverIdentifier = server }
        let lease = UInt64(reply.leaseSeconds ?? 3600)
        leaseDuration = .seconds(lease)
        renewalTime = .seconds(UInt64(reply.renewalSeconds ?? UInt32(truncatingIfNeeded: lease / 2)))
        rebindingTime = .seconds(UInt64(reply.rebindingSeconds ?? UInt32(truncatingIfNeeded: lease * 7 / 8)))
        if rebindingTime > leaseDuration { rebindingTime = leaseDuration }
        if renewalTime > rebindingTime { renewalTime = rebindingTime }
        leaseStart = now
        state = .bound
        attempts = 0
        deadline = now.advanced(by: renewalTime)
    }

    /// The prefix length of a contiguous netmask; a missing or odd mask gives /24.
    static func prefixLength(of mask: IPv4Address?) -> Int {
        guard let mask else { return 24 }
        let ones = mask.rawValue.leadingZeroBitCount == 0 ? (~mask.rawValue).leadingZeroBitCount : 0
        return IPv4Address.mask(prefixLength: ones) == mask.rawValue ? ones : 24
    }
}

/// Netstat-style counters, one per reason a frame is sent, received or dropped.

import Capabilities

/// What the stack has seen. Every drop has a counter; `write(to:)` prints them all.
public struct NetworkCounters: Equatable {
    public var framesReceived: UInt32 = 0
    public var framesSent: UInt32 = 0
    public var framesNotForUs: UInt32 = 0
    public var transmitFailures: UInt32 = 0
    public var ethernetMalformed: UInt32 = 0
    public var unknownEtherType: UInt32 = 0

    public var arpMalformed: UInt32 = 0
    public var arpRequestsSent: UInt32 = 0
    public var arpRepliesSent: UInt32 = 0
    public var arpQueueDrops: UInt32 = 0
    public var arpResolutionFailures: UInt32 = 0

    public var ipv4Received: UInt32 = 0
    public var ipv4Malformed: UInt32 = 0
    public var ipv4ChecksumErrors: UInt32 = 0
    public var ipv4NotForUs: UInt32 = 0
    public var ipv4UnknownProtocol: UInt32 = 0
    public var ipv4NoRoute: UInt32 = 0
    public var ipv4TooLarge: UInt32 = 0
    public var fragmentsReceived: UInt32 = 0
    public var datagramsReassembled: UInt32 = 0
    public var reassemblyTimeouts: UInt32 = 0
    public var reassemblyOverlaps: UInt32 = 0
    public var reassemblyNoSlot: UInt32 = 0
    public var reassemblyTooLarge: UInt32 = 0

    public var icmpMalformed: UInt32 = 0
    public var icmpEchoRepliesSent: UInt32 = 0
    public var icmpUnreachableSent: UInt32 = 0
    public var icmpOtherReceived: UInt32 = 0

    public var udpReceived: UInt32 = 0
    public var udpMalformed: UInt32 = 0
    public var udpChecksumErrors: UInt32 = 0
    public var udpNoPort: UInt32 = 0
    public var udpQueueDrops: UInt32 = 0
    public var udpSent: UInt32 = 0

    public var tcpReceived: UInt32 = 0
    public var tcpMalformed: UInt32 = 0
    public var tcpChecksumErrors: UInt32 = 0
    public var tcpSegmentsSent: UInt32 = 0
    public var tcpRetransmissions: UInt32 = 0
    public var tcpFastRetransmits: UInt32 = 0
    public var tcpTimeouts: UInt32 = 0
    public var tcpResetsSent: UInt32 = 0
    public var tcpResetsReceived: UInt32 = 0
    public var tcpChallengeAcks: UInt32 = 0
    public var tcpBacklogFull: UInt32 = 0
    public var tcpSynCookiesSent: UInt32 = 0
    public var tcpSynCookiesAccepted: UInt32 = 0
    public var tcpNoSlot: UInt32 = 0
    public var tcpOutOfOrderQueued: UInt32 = 0
    public var tcpOutOfOrderDropped: UInt32 = 0
    public var tcpOutOfWindow: UInt32 = 0
    public var tcpZeroWindowProbes: UInt32 = 0
    public var tcpConnectionsEstablished: UInt32 = 0

    public var dhcpMalformed: UInt32 = 0
    public var dhcpLeases: UInt32 = 0
    public var dnsMalformed: UInt32 = 0
    public var dnsMismatched: UInt32 = 0

    public init() {}

    /// Writes one "name value" line per counter.
    public func write<Output: Console>(to output: inout Output) {
        func line(_ name: StaticString, _ value: UInt32) {
            output.write(name)
            output.write(StaticString(" "))
            output.write(decimal: UInt64(value))
            output.write(StaticString("\n"))
        }
        line("frames.received", framesReceived)
        line("frames.sent", framesSent)
        line("frames.not_for_us", framesNotForUs)
        line("frames.transmit_failures", transmitFailures)
        line("ethernet.malformed", ethernetMalformed)
        line("ethernet.unknown_type", unknownEtherType)
        line("arp.malformed", arpMalformed)
        line("arp.requests_sent", arpRequestsSent)
        line("arp.replies_sent", arpRepliesSent)
        line("arp.queue_drops", arpQueueDrops)
        line("arp.resolution_failures", arpResolutionFailures)
        line("ipv4.received", ipv4Received)
        line("ipv4.malformed", ipv4Malformed)
        line("ipv4.checksum_errors", ipv4ChecksumErrors)
        line("ipv4.not_for_us", ipv4NotForUs)
        line("ipv4.unknown_protocol", ipv4UnknownProtocol)
        line("ipv4.no_route", ipv4NoRoute)
        line("ipv4.too_large", ipv4TooLarge)
        line("ipv4.fragments_received", fragmentsReceived)
        line("ipv4.reassembled", datagramsReassembled)
        line("ipv4.reassembly_timeouts", reassemblyTimeouts)
        line("ipv4.reassembly_overlaps", reassemblyOverlaps)
        line("ipv4.reassembly_no_slot", reassemblyNoSlot)
        line("ipv4.reassembly_too_large", reassemblyTooLarge)
        line("icmp.malformed", icmpMalformed)
        line("icmp.echo_replies_sent", icmpEchoRepliesSent)
        line("icmp.unreachable_sent", icmpUnreachableSent)
        line("icmp.other_received", icmpOtherReceived)
        line("udp.received", udpReceived)
        line("udp.malformed", udpMalformed)
        line("udp.checksum_errors", udpChecksumErrors)
        line("udp.no_port", udpNoPort)
        line("udp.queue_drops", udpQueueDrops)
        line("udp.sent", udpSent)
        line("tcp.received", tcpReceived)
        line("tcp.malformed", tcpMalformed)
        line("tcp.checksum_errors", tcpChecksumErrors)
        line("tcp.segments_sent", tcpSegmentsSent)
        line("tcp.retransmissions", tcpRetransmissions)
        line("tcp.fast_retransmits", tcpFastRetransmits)
        line("tcp.timeouts", tcpTimeouts)
        line("tcp.resets_sent", tcpResetsSent)
        line("tcp.resets_received", tcpResetsReceived)
        line("tcp.challenge_acks", tcpChallengeAcks)
        line("tcp.backlog_full", tcpBacklogFull)
        line("tcp.syn_cookies_sent", tcpSynCookiesSent)
        line("tcp.syn_cookies_accepted", tcpSynCookiesAccepted)
        line("tcp.no_slot", tcpNoSlot)
        line("tcp.out_of_order_queued", tcpOutOfOrderQueued)
        line("tcp.out_of_order_dropped", tcpOutOfOrderDropped)
        line("tcp.out_of_window", tcpOutOfWindow)
        line("tcp.zero_window_probes", tcpZeroWindowProbes)
        line("tcp.established", tcpConnectionsEstablished)
        line("dhcp.malformed", dhcpMalformed)
        line("dhcp.leases", dhcpLeases)
        line("dns.malformed", dnsMalformed)
        line("dns.mismatched", dnsMismatched)
    }
}

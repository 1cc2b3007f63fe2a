/// Every size and timer the stack allocates or arms, fixed when the stack is created.

import Capabilities

/// The stack's limits: pools are sized from these once, in `NetworkStack.init`, and never
/// grow. A board keeps its values in one place.
public struct NetworkLimits {
    /// TCP connection slots, shared by active opens and accepted connections.
    public var tcpConnections = 8
    public var tcpListeners = 4
    /// Half-open plus not-yet-accepted connections per listener (the SYN backlog).
    public var tcpBacklog = 4
    public var tcpSendBufferSize = 16 * 1024
    public var tcpReceiveBufferSize = 16 * 1024
    /// Out-of-order ranges each connection remembers past a hole.
    public var tcpOutOfOrderRanges = 4
    public var udpSockets = 4
    /// Bytes of queued datagrams (each costs 8 bytes of bookkeeping) per UDP socket.
    public var udpReceiveBufferSize = 4 * 1024
    public var arpCacheEntries = 16
    /// Frames held while their next hop's MAC is being resolved.
    public var arpPendingFrames = 4
    /// Datagrams reassembled at once, and the largest one.
    public var reassemblySlots = 2
    public var reassemblyBufferSize = 8 * 1024
    public var dnsQueries = 2
    /// Received frames handled per `poll`, so one poll's work stays bounded.
    public var framesPerPoll = 32

    /// RFC 6298 2.1, 2.4 and 2.5: an initial RTO of 1 s, a floor of 1 s, a ceiling of 60 s.
    public var initialRTO = Duration.seconds(1)
    public var minimumRTO = Duration.seconds(1)
    public var maximumRTO = Duration.seconds(60)
    /// Retransmissions of one segment before the connection is dropped (RFC 9293 3.8.3's R2).
    public var maximumRetransmissions = 10
    /// SYN and SYN-ACK retransmissions before giving up (R2 for SYN, at least 3 minutes in
    /// RFC 9293; shorter here so a backlog full of half-open connections drains).
    public var maximumSynRetransmissions = 4
    /// RFC 1122 4.2.3.2: delay an ACK less than 0.5 s.
    public var delayedAckTimeout = Duration.milliseconds(200)
    /// TIME-WAIT lasts 2 MSL (RFC 9293 3.3.2); MSL is shortened from 2 minutes to 15 s, and a
    /// TIME-WAIT slot is reused early when a new connection needs one.
    public var timeWaitDuration = Duration.seconds(30)
    public var arpEntryLifetime = Duration.seconds(60)
    public var arpRetryInterval = Duration.seconds(1)
    public var arpRetries = 3
    /// RFC 791 3.2 suggests 15 s as the reassembly timer's initial setting.
    public var reassemblyTimeout = Duration.seconds(15)
    public var dnsTimeout = Duration.seconds(2)
    public var dnsAttempts = 3

    public init() {}
}

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

    /// RFC 6298 2.1 and 2.5: an initial RTO of 1 s and a ceiling of 60 s.
    public var initialRTO = Duration.seconds(1)
    /// The RTO floor: 200 ms, as Linux (`TCP_RTO_MIN`), not RFC 6298 2.4's 1 s. 2.4 is a
    /// SHOULD; its reason is to avoid spurious retransmissions (a peer delaying its ACK, up
    /// to 200 ms in Linux and in this stack), which `ackDelayAllowance` covers instead. With
    /// 1 s, every loss fast retransmit cannot repair (the last segments of a window, a lost
    /// retransmission) stalls a connection for a second: 4 MiB echoed over a link with 3%
    /// loss ran at 0.2 MB/s. A test of the RFC's 1 s sets it.
    public var minimumRTO = Duration.milliseconds(200)
    /// The least the RTO's variance term (RFC 6298 2.2's 4 RTTVAR) may be, as Linux keeps
    /// it at least `TCP_RTO_MIN`: RTO ≥ SRTT + this, so an ACK a peer delays by up to its
    /// 200 ms (RFC 1122 4.2.3.2 allows 500 ms) arrives before the timer fires. Zero gives
    /// RFC 6298's formula exactly.
    public var ackDelayAllowance = Duration.milliseconds(250)
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

    /// The smallest and largest TCP buffer per direction `init(memoryBudget:)` picks.
    public static let smallestTCPBuffer = 16 * 1024
    public static let largestTCPBuffer = 256 * 1024

    /// Limits sized from what the board lets the stack use (`NetworkedMachine.networkMemoryBudget`):
    /// the TCP buffers take half the budget, split evenly over `tcpConnections` slots and both
    /// directions, rounded down to a power of two and kept within 16 KiB…256 KiB per
    /// direction. The defaults' other pools are small (a few KiB) and stay as they are.
    /// A budget too small for 16 KiB buffers still gets them (the floor wins), so a board
    /// with little RAM gives a small budget and few connections.
    /// For example 1 MiB with 8 connections gives 32 KiB, 16 MiB gives 256 KiB.
    public init(memoryBudget: Int, tcpConnections: Int = 8) {
        self.init()
        self.tcpConnections = max(tcpConnections, 1)
        let perDirection = memoryBudget / 2 / self.tcpConnections / 2
        var size = Self.smallestTCPBuffer
        while size * 2 <= min(perDirection, Self.largestTCPBuffer) { size *= 2 }
        tcpSendBufferSize = size
        tcpReceiveBufferSize = size
        // More window means more holes in flight under loss: remember more ranges past one.
        tcpOutOfOrderRanges = max(4, min(16, size / (16 * 1024)))
    }
}

/// The module's contract and its wire-parsing error.
///
/// Network is a portable, poll-driven TCP/IP stack (Ethernet II, ARP, IPv4, ICMP, UDP, TCP,
/// DHCP client, DNS stub resolver) over any `NetworkInterface`.
///
/// The no-trap contract: every received byte is read through a checked view (`EthernetFrame`,
/// `IPv4Packet`, `TCPSegment`, …). A view's `init(unchecked:)` does no work; `checkLength()`
/// validates every length field once and makes every later accessor safe; the value types
/// (`IPv4Header`, `TCPHeader`, …) are built with `init(parsing:) throws(WireError)`. A
/// malformed frame is counted in `NetworkCounters` and dropped: it never traps, hangs, leaks
/// a buffer or stops service. Memory is sized once, at `NetworkStack.init`, by `NetworkLimits`;
/// nothing is allocated per packet.

/// Why a received frame or message was rejected.
public enum WireError: Error, Equatable {
    /// The buffer is shorter than the header or than a length field says.
    case truncated
    /// A length, offset or option field is inconsistent.
    case malformed
    /// The checksum does not verify.
    case badChecksum
    /// A version, type or hardware kind this stack does not handle.
    case unsupported
}

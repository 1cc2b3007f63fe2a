/// The sizes and counts an `HTTPServer` allocates once, in `init`.

import Capabilities
import HTTP

/// How many connections a server holds and the buffers each one gets. A board keeps its
/// values next to its `NetworkLimits`: the stack needs more TCP slots than the server has
/// connections, so that a new client can complete its handshake while every slot is busy
/// and then take the place of the connection idle the longest.
public struct HTTPServerLimits: Sendable {
    /// Connections served at once. When all are busy, a newly accepted connection evicts the
    /// one that made progress least recently (see `HTTPServer`).
    public var connections = 8
    /// Bytes read from TCP at a time and held until the HTTP connection takes them
    /// (pipelined requests wait here while the previous response is sent).
    public var receiveBufferLength = 4096
    /// Bytes of response staged for TCP at a time; at least 512, so any streamed response's
    /// head fits.
    public var sendBufferLength = 4096
    /// Received bytes that count as progress for eviction: a slowloris client that trickles
    /// a byte a second does not look busy, an upload does.
    public var progressByteCount = 1024
    /// How long a connection must have gone without progress before a waiting one may evict
    /// it: a burst of clients larger than the pool queues in the listener's backlog while the
    /// busy connections are served, instead of evicting each other before any is answered.
    /// Long enough for a client on a LAN to send its request after the handshake; short
    /// enough that clients holding every slot idle are displaced at once.
    public var evictionAge = Duration.milliseconds(50)
    /// The limits of each HTTP connection: request sizes, output buffer, deadlines.
    public var http = HTTPLimits()

    /// The defaults above.
    public init() {}

    /// These limits with every count clamped into a usable range.
    var clamped: HTTPServerLimits {
        var limits = self
        limits.connections = Swift.min(Swift.max(connections, 1), 4096)
        limits.receiveBufferLength = Swift.min(Swift.max(receiveBufferLength, 64), 1 << 24)
        limits.sendBufferLength = Swift.min(Swift.max(sendBufferLength, 512), 1 << 24)
        limits.progressByteCount = Swift.max(progressByteCount, 1)
        return limits
    }
}

/// What a server has done since it started; for logs and tests.
public struct HTTPServerCounters: Sendable {
    /// Connections taken from the listener.
    public var connectionsAccepted = 0
    /// Connections reset to make room for a new one while every slot was busy.
    public var connectionsEvicted = 0
    /// Connections reset because the client stopped taking its response (send timeout).
    public var connectionsTimedOut = 0
    /// Connections closed normally (by either side, or by an HTTP deadline such as 408).
    public var connectionsClosed = 0
    /// Streamed responses whose content was handed to TCP completely.
    public var streamsCompleted = 0

    public init() {}
}

/// How www sizes its server and stack from the board's memory budget, and starts them.
import Capabilities
import HTTP
import Network
import WebServer

enum WebSite<Interface: NetworkInterface, Random: Entropy, Output: Console> {
    static var port: UInt16 { 80 }

    /// Sixteen connections served at once, so sixteen concurrent clients (`ab -c 16`) are all
    /// served without waiting; eight on a small board (under 4 MiB of budget, 32 MiB of RAM).
    /// The stack has twice as many TCP slots, so a new client can finish its handshake and
    /// evict an idle one while all are busy.
    static func serverConnections(memoryBudget: Int) -> Int { memoryBudget >= 4 << 20 ? 16 : 8 }

    /// A connection collects up to 16 KiB of content; a larger `POST /echo` streams into a
    /// buffer of its announced length (`EchoUploads`), up to 64 MiB each.
    static func serverLimits(memoryBudget: Int) -> HTTPServerLimits {
        var limits = HTTPServerLimits()
        limits.connections = serverConnections(memoryBudget: memoryBudget)
        limits.http.maximumBodyLength = 16 * 1024
        limits.http.maximumStreamedBodyLength = 64 << 20
        // Streamed content is staged for TCP 16 KiB at a time where the budget allows.
        if memoryBudget >= 4 << 20 { limits.sendBufferLength = 16 * 1024 }
        return limits
    }

    /// Buffers sized from the board's budget over the TCP slots; responses go out of the send
    /// buffer, so it keeps at least 32 KiB where the budget allows (1 MiB in all).
    static func networkLimits(memoryBudget: Int) -> NetworkLimits {
        let connections = 2 * serverConnections(memoryBudget: memoryBudget)
        var limits = NetworkLimits(memoryBudget: memoryBudget, tcpConnections: connections)
        limits.tcpBacklog = 16
        if memoryBudget >= 4 << 20 { limits.tcpSendBufferSize = max(limits.tcpSendBufferSize, 32 * 1024) }
        return limits
    }

    /// The stack and the server on port 80.
    static func start(interface: Interface, entropy: Random, configuration: NetworkConfiguration, memoryBudget: Int,
                      console: Output, now: Instant) throws(SocketError)
        -> HTTPService<Interface, Random, SiteHandler, Output> {
        let limits = serverLimits(memoryBudget: memoryBudget)
        // Echo buffers share the budget's size again: RAM/8 on qemu-virt, 16 MiB on host.
        let handler = SiteHandler(connections: limits.connections, collectedLength: limits.http.maximumBodyLength,
                                  echoBudget: memoryBudget)
        return try HTTPService(interface: interface, entropy: entropy, configuration: configuration,
                               networkLimits: networkLimits(memoryBudget: memoryBudget), port: port,
                               handler: handler, serverLimits: limits, console: console, now: now)
    }
}

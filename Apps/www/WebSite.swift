/// The running site: the stack, the HTTP server on port 80, and the console it reports to.
import Capabilities
import HTTP
import Network
import WebServer

final class WebSite<Interface: NetworkInterface, Random: Entropy, Output: Console> {
    static var port: UInt16 { 80 }

    /// Sixteen connections served at once, so sixteen concurrent clients (`ab -c 16`) never
    /// evict each other; the stack has twice as many TCP slots, so a new client can finish
    /// its handshake and evict an idle one while all sixteen are busy.
    static var serverLimits: HTTPServerLimits {
        var limits = HTTPServerLimits()
        limits.connections = 16
        // Each connection holds one request's content for POST /echo: 16 MiB in all.
        limits.http.maximumBodyLength = 1 << 20
        return limits
    }

    /// Buffers sized from the board's budget over 32 slots; responses go out of the send
    /// buffer, so it keeps at least 32 KiB (1.5 MiB in all at the smallest).
    static func networkLimits(memoryBudget: Int) -> NetworkLimits {
        var limits = NetworkLimits(memoryBudget: memoryBudget, tcpConnections: 32)
        limits.tcpBacklog = 16
        limits.tcpSendBufferSize = max(limits.tcpSendBufferSize, 32 * 1024)
        return limits
    }

    private var stack: NetworkStack<Interface, Random>
    private let server: HTTPServer<Interface, Random, SiteHandler>
    private var console: Output
    private var addressAnnouncer = AddressAnnouncer()

    init(interface: Interface, entropy: Random, configuration: NetworkConfiguration, memoryBudget: Int,
         console: Output, now: Instant) throws(SocketError) {
        var stack = NetworkStack(interface: interface, entropy: entropy, configuration: configuration,
                                 limits: Self.networkLimits(memoryBudget: memoryBudget), now: now)
        server = try HTTPServer(stack: &stack, port: Self.port, handler: SiteHandler(), limits: Self.serverLimits,
                                now: now)
        self.stack = stack
        self.console = console
    }

    /// One pass: frames and timers in, every connection served. Returns when to run again.
    func poll(now: Instant) -> Instant? {
        stack.poll(now: now)
        addressAnnouncer.update(from: stack, to: &console)
        let serverDeadline = server.poll(stack: &stack, now: now)
        guard let stackDeadline = stack.nextDeadline else { return serverDeadline }
        guard let serverDeadline else { return stackDeadline }
        return min(stackDeadline, serverDeadline)
    }
}

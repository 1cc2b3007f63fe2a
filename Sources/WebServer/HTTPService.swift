/// An app's whole network side: the stack, an HTTP server on it, and the `ip:` line, polled as one.

import Capabilities
import HTTP
import Network

/// What `www`, `site` and `kv` each run: a `NetworkStack` built from the board's interface,
/// an `HTTPServer` on one port, and the console line announcing the address when it changes.
public final class HTTPService<Interface: NetworkInterface, Random: Entropy, Handler: HTTPStreamingHandler,
                               Output: Console> {
    public private(set) var stack: NetworkStack<Interface, Random>
    public let server: HTTPServer<Interface, Random, Handler>
    public var console: Output
    private var addressAnnouncer = AddressAnnouncer()

    public init(interface: Interface, entropy: Random, configuration: NetworkConfiguration,
                networkLimits: NetworkLimits, port: UInt16 = 80, handler: Handler, serverLimits: HTTPServerLimits,
                console: Output, now: Instant) throws(SocketError) {
        var stack = NetworkStack(interface: interface, entropy: entropy, configuration: configuration,
                                 limits: networkLimits, now: now)
        server = try HTTPServer(stack: &stack, port: port, handler: handler, limits: serverLimits, now: now)
        self.stack = stack
        self.console = console
    }

    /// One pass: frames and timers in, every connection served. Returns when to run again.
    public func poll(now: Instant) -> Instant? {
        stack.poll(now: now)
        addressAnnouncer.update(from: stack, to: &console)
        let serverDeadline = server.poll(stack: &stack, now: now)
        guard let stackDeadline = stack.nextDeadline else { return serverDeadline }
        guard let serverDeadline else { return stackDeadline }
        return Swift.min(stackDeadline, serverDeadline)
    }
}

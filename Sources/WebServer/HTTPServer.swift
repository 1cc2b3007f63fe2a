/// The server: a listener, a fixed pool of connection slots, and the poll that drives them.

import Capabilities
import HTTP
import Network

/// An HTTP/1.1 server on one TCP port of a `NetworkStack`.
///
/// Every buffer is allocated in `init` (see `HTTPServerLimits`); serving requests allocates
/// nothing, except that each accepted connection gets a fresh `HTTPConnection` of the same
/// sizes as the one it replaces.
///
/// Connection limit: when every slot is busy and a client waits in the listener's backlog,
/// the connection that made progress least recently is reset and the new one takes its slot
/// (RFC 9112 §9.5: a server may close a connection at any time; a client must be ready to
/// retry), provided it made none for `HTTPServerLimits.evictionAge` (a burst of clients larger
/// than the pool then queues instead of evicting its own members). Progress is sending
/// response bytes, finishing a response, or receiving a real amount of data, so clients that
/// hold a connection while trickling a request (slowloris) are the first to go, and a normal
/// client still gets a slot. `HTTPConnection`'s request timeout (408) bounds how long a slow
/// client keeps a slot when there is no pressure.
public final class HTTPServer<Interface: NetworkInterface, Random: Entropy, Handler: HTTPStreamingHandler> {
    public let limits: HTTPServerLimits
    public let port: UInt16
    public internal(set) var counters = HTTPServerCounters()
    let listener: TCPListener
    let slots: UnsafeMutablePointer<ConnectionSlot<Handler.Body>>
    let slotCount: Int
    var dispatch: StreamingDispatch<Handler>
    /// Where a finished stream's stand-in response is drained to and dropped.
    let discard: UnsafeMutableRawBufferPointer
    /// Set when a poll stopped with work left, so the next deadline is "now".
    var hasImmediateWork = false

    /// Listens on `port` of `stack` and serves requests with `handler`.
    public init(stack: inout NetworkStack<Interface, Random>, port: UInt16 = 80, handler: Handler,
                limits: HTTPServerLimits = HTTPServerLimits(), now: Instant) throws(SocketError) {
        let limits = limits.clamped
        listener = try stack.listen(port: port)
        self.limits = limits
        self.port = port
        dispatch = StreamingDispatch(handler: handler)
        slotCount = limits.connections
        slots = .allocate(capacity: limits.connections)
        for index in 0..<limits.connections {
            (slots + index).initialize(to: ConnectionSlot(limits: limits))
        }
        discard = .allocate(byteCount: 512, alignment: 8)
    }

    deinit {
        for index in 0..<slotCount { slots[index].deallocateBuffers() }
        slots.deinitialize(count: slotCount)
        slots.deallocate()
        discard.deallocate()
    }

    /// The application's handler, for its state (a router's context, counters).
    public var handler: Handler {
        get { dispatch.handler }
        set { dispatch.handler = newValue }
    }

    /// Connections being served now.
    public var openConnections: Int {
        var count = 0
        for index in 0..<slotCount where !slots[index].isFree { count += 1 }
        return count
    }

    /// Accepts new connections, moves bytes between TCP and HTTP for every connection, acts
    /// on passed deadlines. Call after `stack.poll(now:)`; then sleep until the earlier of
    /// the returned instant and `stack.nextDeadline` (sending may have given the stack work).
    ///
    /// - Returns: when the server needs to run again without a network event, or nil.
    public func poll(stack: inout NetworkStack<Interface, Random>, now: Instant) -> Instant? {
        hasImmediateWork = false
        acceptConnections(stack: &stack, now: now)
        for index in 0..<slotCount where !slots[index].isFree {
            service(index, stack: &stack, now: now)
        }
        return nextDeadline(stack: &stack, now: now)
    }

    /// The earliest deadline of any connection, or of a waiting client's right to evict.
    func nextDeadline(stack: inout NetworkStack<Interface, Random>, now: Instant) -> Instant? {
        if hasImmediateWork { return now }
        var earliest: Instant? = nil
        // A waiting client may evict the oldest connection once it is old enough.
        if stack.hasPendingConnection(listener), let oldest = leastRecentlyProgressed() {
            earliest = slots[oldest].lastProgress.advanced(by: limits.evictionAge)
        }
        for index in 0..<slotCount where !slots[index].isFree {
            guard let deadline = slots[index].deadline(sendTimeout: limits.http.sendTimeout) else { continue }
            if earliest == nil || deadline < earliest! { earliest = deadline }
        }
        return earliest
    }

    /// Stops listening and resets every connection.
    public func close(stack: inout NetworkStack<Interface, Random>) {
        stack.close(listener)
        for index in 0..<slotCount where !slots[index].isFree {
            if let handle = slots[index].handle { stack.abort(handle) }
            release(index)
        }
    }

    /// Takes every connection the listener has, evicting to make room. Only a connection that
    /// made no progress for `evictionAge` can be the victim: while every slot is busy with a
    /// younger one, the rest wait in the listener's backlog (otherwise a burst larger than the
    /// pool would evict its own members before any was served).
    func acceptConnections(stack: inout NetworkStack<Interface, Random>, now: Instant) {
        while true {
            guard let index = freeSlot() ?? evict(stack: &stack, now: now) else { return }
            guard let handle = stack.accept(listener) else {
                return
            }
            counters.connectionsAccepted += 1
            slots[index].open(handle, identifier: index, limits: limits.http, now: now)
        }
    }

    /// Frees slot `index` and tells the handler its connection is gone.
    func release(_ index: Int) {
        slots[index].release()
        dispatch.handler.connectionEnded(index)
    }

    func freeSlot() -> Int? {
        for index in 0..<slotCount where slots[index].isFree { return index }
        return nil
    }

    /// The busy slot that made progress least recently.
    func leastRecentlyProgressed() -> Int? {
        var oldest: Int? = nil
        for index in 0..<slotCount where !slots[index].isFree {
            if oldest == nil || slots[index].lastProgress < slots[oldest!].lastProgress { oldest = index }
        }
        return oldest
    }

    /// Resets the connection that made progress least recently, if that was `evictionAge` ago
    /// or more, and returns its slot. Only when a connection is waiting to be accepted.
    func evict(stack: inout NetworkStack<Interface, Random>, now: Instant) -> Int? {
        guard stack.hasPendingConnection(listener), let victim = leastRecentlyProgressed(),
              slots[victim].lastProgress.advanced(by: limits.evictionAge) <= now else { return nil }
        if let handle = slots[victim].handle { stack.abort(handle) }
        release(victim)
        counters.connectionsEvicted += 1
        return victim
    }
}

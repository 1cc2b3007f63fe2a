/// The PV console over its ring and event channel: write everything (notifying, waiting while the ring is full, bounded) and read input.
///
/// The page and port come from the toolstack (HVM_PARAM_CONSOLE_PFN, HVM_PARAM_CONSOLE_EVTCHN on
/// ARM), already connected to xenconsoled: no XenBus handshake. io/console.h has no req_event: the
/// daemon is notified after every write that queued bytes and after every read that freed room.
///
/// A daemon that stops draining costs at most `timeout` once: the console then counts as stalled and
/// later writes queue what fits without waiting, until the daemon drains again.
public final class XenConsole<Services: XenFrontendServices> {
    public let ring: XenConsoleRing
    public let port: UInt32
    let services: Services
    /// Nanoseconds a write waits for room before giving up with `.consoleTimeout`.
    public var timeout: UInt64 = 1_000_000_000
    /// The longest single `wait` while the ring is full.
    public var pollInterval: UInt64 = 1_000_000
    /// Wake-ups without room before `.consoleTimeout`, even if the clock stalls.
    public var wakeupLimit = 1 << 16
    /// True after a write timed out, until the daemon makes room again.
    public private(set) var isStalled = false

    /// The console on the page at `interface` with event channel `port`. With `bindPort` (the
    /// default) it routes the port's events to `services` (the handler has nothing to do: writers
    /// look at the ring after every `wait`); pass false when the board binds the port itself.
    public init(services: Services, interface: UnsafeMutableRawPointer, port: UInt32, bindPort: Bool = true,
                barrier: @escaping () -> Void = XenMemory.fullBarrier) throws(XenError) {
        self.services = services
        self.port = port
        ring = XenConsoleRing(interface: interface, barrier: barrier)
        if bindPort { try services.bind(port: port) { _ in } }
    }

    /// Queues all of `bytes`, notifying the daemon and waiting while the ring is full. Throws
    /// `.consoleTimeout` when the daemon makes no room within `timeout` (the bytes not queued are
    /// dropped), or the ring's error when its indices are corrupt.
    public func write(_ bytes: UnsafeRawBufferPointer) throws(XenError) {
        var written = 0
        var lastProgress = services.nanoseconds
        var wakeups = 0
        while written < bytes.count {
            let count = try ring.write(UnsafeRawBufferPointer(rebasing: bytes[written...]))
            if count > 0 {
                written += count
                isStalled = false  // it stalled on a full ring: the daemon has drained since
                services.notify(port: port)
                lastProgress = services.nanoseconds
                wakeups = 0
                continue
            }
            // Full. A stalled console does not wait again; room made by the daemon ends the stall.
            let now = services.nanoseconds
            let waited = now &- lastProgress
            guard !isStalled, waited < timeout, wakeups < wakeupLimit else {
                isStalled = true
                throw .consoleTimeout
            }
            wakeups += 1
            services.wait(until: now &+ min(pollInterval, timeout - waited))
        }
    }

    /// Moves waiting input into `buffer`; returns how many bytes (0 when none waits).
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(XenError) -> Int {
        let count = try ring.read(into: buffer)
        if count > 0 { services.notify(port: port) }
        return count
    }
}

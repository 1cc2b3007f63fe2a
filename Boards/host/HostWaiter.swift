/// How the host board sleeps: poll(2) on the watched descriptors (the TAP device) until the clock's wake-up deadline.
import Capabilities
import Glibc

/// Shared by the clock (which stores the deadline) and the event loop's `sleep` closure.
final class HostWaiter {
    /// The instant `sleep` returns by at the latest; nil sleeps until a descriptor is readable.
    var deadline: Instant? = nil
    private var descriptors: [pollfd] = []

    /// Makes `sleep` return as soon as `descriptor` is readable.
    func watch(_ descriptor: Int32) {
        descriptors.append(pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0))
    }

    /// Blocks until a watched descriptor is readable, the deadline passes, or a signal arrives.
    func sleep() {
        var timeout: Int32 = -1
        if let deadline {
            let now = HostClock.monotonicNow()
            guard deadline > now else { return }
            // Round up: waking a millisecond late is fine, waking early only costs another pass.
            let milliseconds = (deadline.duration(since: now).nanoseconds + 999_999) / 1_000_000
            timeout = Int32(clamping: milliseconds)
        }
        if descriptors.isEmpty && timeout < 0 {
            // Nothing can ever wake us: an app that runs the loop with no timers and no device.
            _ = pause()
            return
        }
        _ = descriptors.withUnsafeMutableBufferPointer { poll($0.baseAddress, nfds_t($0.count), timeout) }
    }
}

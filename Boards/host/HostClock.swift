/// The host clock: CLOCK_MONOTONIC, with the wake-up deadline handed to the waiter that sleeps in poll(2).
import Capabilities
import Glibc

struct HostClock: Clock {
    let waiter: HostWaiter

    func now() -> Instant { HostClock.monotonicNow() }

    mutating func setWakeUp(at deadline: Instant?) { waiter.deadline = deadline }

    static func monotonicNow() -> Instant {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Instant(nanoseconds: UInt64(time.tv_sec) &* 1_000_000_000 &+ UInt64(time.tv_nsec))
    }
}

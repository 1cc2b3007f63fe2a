/// The one event loop: poll every device, run due timers, then sleep until the next deadline (no periodic tick).
import Capabilities

public final class EventLoop<Timekeeper: Clock> {
    public typealias TimerIdentifier = Int
    /// A device poll: handles whatever arrived, returns the earliest instant it needs to run again.
    public typealias Poll = (Instant) -> Instant?

    private struct Timer {
        var deadline: Instant
        var period: Duration?
        var action: (() -> Void)?
    }

    public private(set) var clock: Timekeeper
    private var timers: [Timer] = []
    private var polls: [Poll] = []
    private var stopped = false
    private let sleep: () -> Void

    /// `sleep` waits for the next interrupt (the board's `wfi` wrapper); on a simulated clock it
    /// advances time instead.
    public init(clock: Timekeeper, sleep: @escaping () -> Void) {
        self.clock = clock
        self.sleep = sleep
    }

    public var now: Instant { clock.now() }

    /// Runs `action` once, `delay` from now.
    @discardableResult
    public func after(_ delay: Duration, _ action: @escaping () -> Void) -> TimerIdentifier {
        add(Timer(deadline: now.advanced(by: delay), period: nil, action: action))
    }

    /// Runs `action` every `period`, the first time one period from now. Deadlines advance by
    /// whole periods, so a late run does not shift the ones after it.
    @discardableResult
    public func every(_ period: Duration, _ action: @escaping () -> Void) -> TimerIdentifier {
        add(Timer(deadline: now.advanced(by: period), period: period, action: action))
    }

    public func cancel(_ timer: TimerIdentifier) {
        guard timer >= 0, timer < timers.count else { return }
        timers[timer].action = nil
    }

    public func addPoll(_ poll: @escaping Poll) {
        polls.append(poll)
    }

    /// Makes `run()` return after the current pass.
    public func stop() { stopped = true }

    /// One pass: polls, due timers. Returns the earliest deadline anything needs, or nil.
    public func runOnce() -> Instant? {
        var earliest: Instant? = nil
        for poll in polls {
            if let deadline = poll(now) { earliest = min(earliest ?? deadline, deadline) }
        }
        let current = now
        for index in timers.indices {
            guard let action = timers[index].action, timers[index].deadline <= current else { continue }
            if let period = timers[index].period {
                var next = timers[index].deadline.advanced(by: period)
                if next <= current { next = current.advanced(by: period) }
                timers[index].deadline = next
            } else {
                timers[index].action = nil
            }
            action()
        }
        for timer in timers where timer.action != nil {
            earliest = min(earliest ?? timer.deadline, timer.deadline)
        }
        return earliest
    }

    /// Runs until `stop()`: each pass, then the clock armed for the next deadline, then sleep.
    public func run() {
        stopped = false
        while !stopped {
            let deadline = runOnce()
            if stopped { break }
            clock.setWakeUp(at: deadline)
            sleep()
        }
        clock.setWakeUp(at: nil)
    }

    private func add(_ timer: Timer) -> TimerIdentifier {
        if let free = timers.firstIndex(where: { $0.action == nil }) {
            timers[free] = timer
            return free
        }
        timers.append(timer)
        return timers.count - 1
    }
}

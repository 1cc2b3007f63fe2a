/// The Allwinner A10 timer block as the `Clock` (A10 User Manual §"Timer"; binding allwinner,sun4i-a10-timer): timer 1 free-running for time, timer 0 one-shot for the wake-up.
import ARMBoot
import Capabilities
import Platform

/// Both timers count down from OSC24M divided by 8 (3 MHz on a 24 MHz crystal). Timer 1
/// runs from 0xffffffff over and over and is never interrupted; `now()` widens its 32-bit
/// count to 64 bits by noticing each wrap (every 1432 s at 3 MHz), so `setWakeUp` never sleeps
/// longer than `longestSleep` (a quarter of that): with nothing due the CPU still sleeps
/// for minutes at a time, there is no periodic tick. Timer 0 raises its interrupt once at
/// the deadline and stops itself (single mode).
public struct A10Timer: Clock {
    /// Counts per second.
    public let frequency: UInt64

    // Registers (A10 User Manual, timer register list): interrupt enable and status, then
    // each timer's control, interval and current value 16 bytes apart from 0x10.
    private static var interruptEnable: Register32 { Register32(base + 0x00) }
    private static var interruptStatus: Register32 { Register32(base + 0x04) }
    private static func control(_ timer: UInt) -> Register32 { Register32(base + 0x10 + 0x10 * timer) }
    private static func interval(_ timer: UInt) -> Register32 { Register32(base + 0x14 + 0x10 * timer) }
    private static func current(_ timer: UInt) -> Register32 { Register32(base + 0x18 + 0x10 * timer) }

    // Control bits: enable, reload the interval, clock source (1 = OSC24M), prescale log2, single mode.
    private static let enableBit: UInt32 = 1 << 0
    private static let reloadBit: UInt32 = 1 << 1
    private static let sourceOscillator: UInt32 = 1 << 2
    private static let prescaleLog2: UInt32 = 3
    private static let singleMode: UInt32 = 1 << 7
    private static var clocking: UInt32 { sourceOscillator | prescaleLog2 << 4 }

    private static let wakeUpTimer: UInt = 0
    private static let counterTimer: UInt = 1
    /// The longest single sleep, in counts: a quarter of the counter's wrap.
    static let longestSleep: UInt64 = 1 << 30

    nonisolated(unsafe) private static var base: UInt = 0
    nonisolated(unsafe) private static var wraps: UInt64 = 0
    nonisolated(unsafe) private static var lastCount: UInt32 = 0

    /// Takes over the block at `base`; `oscillatorFrequency` is OSC24M's rate from the device
    /// tree's clock node. Starts the free-running counter, leaves timer 0 stopped, and lets
    /// only timer 0 interrupt.
    public init(base: UInt, oscillatorFrequency: UInt64) {
        Self.base = base
        frequency = max(oscillatorFrequency >> UInt64(Self.prescaleLog2), 1)
        Self.control(Self.wakeUpTimer).write(0)
        Self.control(Self.counterTimer).write(0)
        Self.settle()
        Self.interval(Self.counterTimer).write(0xffff_ffff)
        Self.control(Self.counterTimer).write(Self.clocking | Self.reloadBit | Self.enableBit)
        Self.interruptStatus.write(0x3f)
        Self.interruptEnable.write(1 << UInt32(Self.wakeUpTimer))
        Self.wraps = 0
        Self.lastCount = 0
    }

    /// Counts since the counter started, widened to 64 bits (interrupts masked meanwhile:
    /// the widening state is shared with anything an interrupt handler might call).
    public static func counts() -> UInt64 {
        let saved = arm_save_and_disable_interrupts()
        let count = ~current(counterTimer).read()   // it counts down
        if count < lastCount { wraps &+= 1 << 32 }
        lastCount = count
        let result = wraps | UInt64(count)
        arm_restore_interrupts(saved)
        return result
    }

    /// The counter's raw low bits, for entropy jitter: no state touched.
    public static func rawCount() -> UInt32 { ~current(counterTimer).read() }

    public func now() -> Instant {
        let count = Self.counts()
        let seconds = count / frequency
        let remainder = count % frequency
        return Instant(nanoseconds: seconds &* 1_000_000_000 &+ remainder &* 1_000_000_000 / frequency)
    }

    /// Programs timer 0 for `deadline` (at most `longestSleep` away, at least one count), or
    /// for `longestSleep` when nothing is due, so that the counter's wraps are all seen.
    public mutating func setWakeUp(at deadline: Instant?) {
        let now = Self.counts()
        var delay = Self.longestSleep
        if let deadline {
            let seconds = deadline.nanoseconds / 1_000_000_000
            let remainder = deadline.nanoseconds % 1_000_000_000
            let target = seconds &* frequency &+ (remainder &* frequency + 999_999_999) / 1_000_000_000
            delay = target > now ? min(target - now, Self.longestSleep) : 1
        }
        Self.control(Self.wakeUpTimer).write(0)
        Self.settle()
        Self.interruptStatus.write(1 << UInt32(Self.wakeUpTimer))
        Self.interval(Self.wakeUpTimer).write(UInt32(truncatingIfNeeded: delay))
        Self.control(Self.wakeUpTimer).write(Self.clocking | Self.singleMode | Self.reloadBit | Self.enableBit)
    }

    /// Timer 0's interrupt: clear its status so the line drops (it has already stopped).
    public static func interruptFired() {
        interruptStatus.write(1 << UInt32(wakeUpTimer))
    }

    /// A stopped timer takes a few cycles of its clock to see a new interval (Linux waits
    /// three 24 MHz cycles): wait until the counter moves twice, bounded in case it does not.
    private static func settle() {
        let start = current(counterTimer).read()
        var spins = 0
        while spins < 1000, start &- current(counterTimer).read() < 2 { spins += 1 }
    }
}

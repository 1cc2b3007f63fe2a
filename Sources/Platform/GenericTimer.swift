/// The ARM generic timer's virtual counter and timer as the `Clock` (ARM ARM B8): one-shot, no periodic tick.
import ARMBoot
import Capabilities

public struct GenericTimer: Clock {
    /// Counter ticks per second (CNTFRQ, or the device tree's clock-frequency where firmware left CNTFRQ unset).
    public let frequency: UInt64

    public init(frequency: UInt64) {
        self.frequency = frequency == 0 ? UInt64(arm_read_cntfrq()) : frequency
        arm_write_cntv_ctl(0b10) // disabled, masked
    }

    public func now() -> Instant {
        let count = arm_read_cntvct()
        let seconds = count / frequency
        let remainder = count % frequency
        return Instant(nanoseconds: seconds &* 1_000_000_000 &+ remainder &* 1_000_000_000 / frequency)
    }

    /// Programs CNTV_CVAL for `deadline` (CNTV_CTL: ENABLE=1, IMASK=0), or disables the timer.
    public mutating func setWakeUp(at deadline: Instant?) {
        guard let deadline else {
            arm_write_cntv_ctl(0b10)
            return
        }
        let seconds = deadline.nanoseconds / 1_000_000_000
        let remainder = deadline.nanoseconds % 1_000_000_000
        let count = seconds &* frequency &+ (remainder &* frequency + 999_999_999) / 1_000_000_000
        arm_write_cntv_cval(count)
        arm_write_cntv_ctl(0b01)
        arm_instruction_synchronization_barrier()
    }

    /// Called from the timer interrupt: the line is level-triggered, so mask it until the
    /// event loop programs the next deadline.
    public static func interruptFired() {
        arm_write_cntv_ctl(0b11)
    }
}

/// Sleeping until an interrupt without losing one that arrives just before the sleep.
import ARMBoot

public enum Idle {
    /// With IRQs masked, sleep only if no interrupt ran since the last call: `wfi` still wakes
    /// for a pending interrupt while masked (ARM ARM B1.8.10); unmasking then runs its handler.
    public static func waitForInterrupt() {
        arm_disable_interrupts()
        if !InterruptHandlers.somethingHappened {
            arm_wait_for_interrupt()
        }
        InterruptHandlers.somethingHappened = false
        arm_enable_interrupts()
    }
}

/// Ending the run as a Xen guest: SCHEDOP_shutdown (sched.h) with poweroff for status 0 and crash for any other.
import Platform
import XenABI

enum XenShutdown {
    /// Makes `halt(status:)` (a normal end, a panic) end the domain instead of calling PSCI.
    static func install() {
        SystemHooks.powerOff = {
            Hypercall.shutdown(reason: UInt32(SystemHooks.haltStatus == 0 ? SHUTDOWN_poweroff : SHUTDOWN_crash))
        }
    }
}

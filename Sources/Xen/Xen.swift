/// Xen guest protocols for Seal, portable and host-tested: shared rings, xenstore, event channels, grants.
///
/// Every layout comes from Xen's public headers, imported as the C module `XenABI` (Debian's
/// `libxen-dev`, ARM's guest layout on every host), never retyped. The types here work on memory the
/// other side of the ring (Xen, xenstored, a backend in another domain) writes at any time, so:
///
/// - every index, length, id and type read from shared memory is checked before it is used;
/// - a value that breaks the protocol is a typed `XenError`, and the object that saw it stays broken
///   (each later call throws the same error): the device fails, the rest of the unikernel keeps running;
/// - no input can trap (no unchecked arithmetic on shared values, no unchecked indexing) and every
///   loop over shared data is bounded;
/// - memory use is bounded (fixed numbers of outstanding requests, queued events, buffered bytes).
///
/// Shared memory is read and written with the sequentially consistent atomics of `XenABI`'s shim
/// (`dmb ish` on ARMv7), and the barriers Xen's headers name (`xen_mb`, `xen_wmb`, `xen_rmb`) are calls
/// to a barrier closure the owner passes in, `XenMemory.fullBarrier` by default; tests pass their own
/// to observe the order of writes.
import XenABI

/// The barrier Xen's headers call `xen_mb()`: a full memory barrier (`dmb ish` on ARMv7).
public enum XenMemory {
    public static func fullBarrier() {
        seal_xen_full_barrier()
    }

    /// Xen's page size on ARM guests (4 KiB granules, `XEN_PAGE_SIZE`).
    public static let pageSize = 4096
}

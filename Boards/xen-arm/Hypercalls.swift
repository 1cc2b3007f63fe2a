/// The hypercalls the board makes, typed: arguments are the structs of Xen's public headers (XenABI), results are 0 or a negative errno.
import ARMBoot
import Xen
import XenABI

enum Hypercall {
    /// `HYPERVISOR_<number>(command, argument[, count])` with a pointer to a header struct (`count`
    /// only for the grant-table operations, which take an array).
    private static func call<Argument>(_ number: Int32, _ command: Int32, _ argument: inout Argument, count: UInt = 0) -> Int {
        withUnsafeMutablePointer(to: &argument) { pointer in
            Int(seal_xen_hypercall(UInt32(number), UInt(bitPattern: Int(command)), UInt(bitPattern: pointer), count, 0))
        }
    }

    private static func check(_ result: Int) throws(XenError) {
        if result < 0 { throw .hypercallFailed(Int32(truncatingIfNeeded: result)) }
    }

    /// XENVER_version: major << 16 | minor (version.h).
    static func version() -> (major: Int, minor: Int) {
        let value = Int(seal_xen_hypercall(UInt32(__HYPERVISOR_xen_version), UInt(XENVER_version), 0, 0, 0))
        return (value >> 16, value & 0xffff)
    }

    /// XENMEM_add_to_physmap (memory.h): puts Xen's page `index` of `space` at guest frame `frame`.
    static func addToPhysicalMap(space: UInt32, index: UInt64, frame: UInt64) throws(XenError) {
        var argument = xen_add_to_physmap_t()
        argument.domid = seal_xen_domain_self()
        argument.space = space
        argument.idx = index
        argument.gpfn = frame
        try check(call(__HYPERVISOR_memory_op, XENMEM_add_to_physmap, &argument))
    }

    /// HVMOP_get_param (hvm/hvm_op.h): the toolstack's xenstore and console pages and ports.
    static func parameter(_ index: Int32) throws(XenError) -> UInt64 {
        var argument = xen_hvm_param_t()
        argument.domid = seal_xen_domain_self()
        argument.index = UInt32(index)
        try check(call(__HYPERVISOR_hvm_op, HVMOP_get_param, &argument))
        return argument.value
    }

    /// GNTTABOP_query_size (grant_table.h): frames in use and the most this domain may have.
    static func grantTableSize() throws(XenError) -> (frames: UInt32, maximum: UInt32) {
        var argument = gnttab_query_size_t()
        argument.dom = seal_xen_domain_self()
        try check(call(__HYPERVISOR_grant_table_op, GNTTABOP_query_size, &argument, count: 1))
        guard argument.status == GNTST_okay else { throw .hypercallFailed(Int32(argument.status)) }
        return (argument.nr_frames, argument.max_nr_frames)
    }

    /// EVTCHNOP_alloc_unbound (event_channel.h): a port of ours that `remote` may bind.
    static func allocateUnbound(remote: UInt16) throws(XenError) -> UInt32 {
        var argument = evtchn_alloc_unbound_t()
        argument.dom = seal_xen_domain_self()
        argument.remote_dom = remote
        try check(call(__HYPERVISOR_event_channel_op, EVTCHNOP_alloc_unbound, &argument))
        return argument.port
    }

    /// EVTCHNOP_bind_interdomain: a local port connected to `remotePort` of `remote`.
    static func bindInterdomain(remote: UInt16, remotePort: UInt32) throws(XenError) -> UInt32 {
        var argument = evtchn_bind_interdomain_t()
        argument.remote_dom = remote
        argument.remote_port = remotePort
        try check(call(__HYPERVISOR_event_channel_op, EVTCHNOP_bind_interdomain, &argument))
        return argument.local_port
    }

    /// EVTCHNOP_bind_virq: a port for virtual interrupt `virq` on VCPU 0.
    static func bindVirtualInterrupt(_ virq: UInt32) throws(XenError) -> UInt32 {
        var argument = evtchn_bind_virq_t()
        argument.virq = virq
        argument.vcpu = 0
        try check(call(__HYPERVISOR_event_channel_op, EVTCHNOP_bind_virq, &argument))
        return argument.port
    }

    /// EVTCHNOP_send.
    static func send(port: UInt32) {
        var argument = evtchn_send_t()
        argument.port = port
        _ = call(__HYPERVISOR_event_channel_op, EVTCHNOP_send, &argument)
    }

    /// EVTCHNOP_unmask: clears the mask and re-raises an event that came while masked.
    static func unmask(port: UInt32) {
        var argument = evtchn_unmask_t()
        argument.port = port
        _ = call(__HYPERVISOR_event_channel_op, EVTCHNOP_unmask, &argument)
    }

    /// SCHEDOP_shutdown (sched.h): the domain ends with `reason` (SHUTDOWN_poweroff, _crash).
    static func shutdown(reason: UInt32) {
        var argument = sched_shutdown_t()
        argument.reason = reason
        _ = call(__HYPERVISOR_sched_op, SCHEDOP_shutdown, &argument)
    }
}

/// The guest's Xen services: shared info and event channels, the grant table, xenstore over its ring, waiting on the upcall or the timer.
import ARMBoot
import Capabilities
import Platform
import Xen
import XenABI

/// The toolstack's pages and ports for this guest (HVMOP_get_param), 0 where it gave none.
struct ToolstackPages {
    var storeFrame: UInt64 = 0
    var storePort: UInt32 = 0
    var consoleFrame: UInt64 = 0
    var consolePort: UInt32 = 0

    /// Reads the parameters (hvm/params.h); a dom0less guest without xenstore has none.
    static func read() -> ToolstackPages {
        var pages = ToolstackPages()
        pages.storeFrame = (try? Hypercall.parameter(HVM_PARAM_STORE_PFN)) ?? 0
        pages.storePort = UInt32(truncatingIfNeeded: (try? Hypercall.parameter(HVM_PARAM_STORE_EVTCHN)) ?? 0)
        pages.consoleFrame = (try? Hypercall.parameter(HVM_PARAM_CONSOLE_PFN)) ?? 0
        pages.consolePort = UInt32(truncatingIfNeeded: (try? Hypercall.parameter(HVM_PARAM_CONSOLE_EVTCHN)) ?? 0)
        return pages
    }

    /// The xenstore page, when the toolstack gave one.
    var storePage: UnsafeMutableRawPointer? { Self.page(at: storeFrame) }
    /// The PV console page, when the toolstack gave one.
    var consolePage: UnsafeMutableRawPointer? { Self.page(at: consoleFrame) }

    /// The pages as windows of ordinary memory for the page table.
    var windows: [(address: UInt64, size: UInt64)] {
        var windows: [(address: UInt64, size: UInt64)] = []
        for page in [storePage, consolePage] {
            if let page { windows.append((UInt64(UInt(bitPattern: page)), 0x1000)) }
        }
        return windows
    }

    /// The page at guest frame `frame`, or nil for frame 0 (none given) or one the 32-bit MMU cannot reach.
    private static func page(at frame: UInt64) -> UnsafeMutableRawPointer? {
        guard frame != 0, frame < 0x10_0000 else { return nil }
        return UnsafeMutableRawPointer(bitPattern: UInt(frame << 12))
    }
}

/// How the domain's limits are set.
enum XenDomainLimits {
    /// Event channel handler slots (ports above are counted as unbound).
    static let ports = 1024
    /// Grant-table frames mapped (512 v1 entries each), at most what Xen allows.
    static let grantFrames: UInt32 = 8
    /// Ports handled per scan before the event loop runs its other polls (an event storm cannot starve it).
    static let scanBudget = 256
    /// How long one xenstore request may take.
    static let storeTimeout: UInt64 = 5_000_000_000
}

final class XenDomain: XenFrontendServices {
    let sharedInfo: UnsafeMutableRawPointer
    let events: EventChannels
    let grantTable: GrantTable
    let grantFrames: UInt32
    let store: XenStoreClient?
    let pages: ToolstackPages
    private var timer: GenericTimer
    /// A scan stopped at its budget: the next wait returns at once.
    private var moreEvents = false

    /// Maps shared info at a page of our own RAM and `grantFrames` grant frames at the hypervisor
    /// node's window, and opens xenstore if the toolstack gave a page. Nil (with the reason printed) if Xen refuses.
    init?(hypervisor: HypervisorNode, pages: ToolstackPages, timer: GenericTimer, console: inout SystemConsole) {
        self.pages = pages
        self.timer = timer
        // xen.h: the shared_info page is placed at a guest frame of our choosing (XENMAPSPACE_shared_info).
        // The page is left untouched before the call: its RAM frame is replaced, not written.
        let page = UnsafeMutableRawPointer.allocate(byteCount: 0x1000, alignment: 0x1000)
        do {
            try Hypercall.addToPhysicalMap(space: UInt32(XENMAPSPACE_shared_info), index: 0,
                                           frame: UInt64(UInt(bitPattern: page) >> 12))
        } catch {
            console.writeLine("xen: shared info not mapped")
            return nil
        }
        sharedInfo = page
        events = EventChannels(sharedInfo: page, portCount: XenDomainLimits.ports)

        // grant_table.h: frames go into the window the hypervisor node names, one page each.
        let windowFrames = UInt32(min(hypervisor.grantWindow.size >> 12, 0x1000))
        let maximum = (try? Hypercall.grantTableSize().maximum) ?? 1
        var mapped: UInt32 = 0
        for index in 0..<min(XenDomainLimits.grantFrames, maximum, windowFrames) {
            do {
                try Hypercall.addToPhysicalMap(space: UInt32(XENMAPSPACE_grant_table), index: UInt64(index),
                                               frame: (hypervisor.grantWindow.address >> 12) + UInt64(index))
            } catch {
                break
            }
            mapped += 1
        }
        guard mapped > 0, let window = UnsafeMutableRawPointer(bitPattern: UInt(hypervisor.grantWindow.address)) else {
            console.writeLine("xen: no grant-table frame mapped")
            return nil
        }
        grantFrames = mapped
        grantTable = GrantTable(entries: window, count: Int(mapped) * 0x1000 / MemoryLayout<grant_entry_v1_t>.size)

        store = pages.storePage.map { XenStoreClient(interface: $0) }
        if store != nil {
            // Replies wake us through this port; the requests' progress is polled in storeRequest.
            try? events.bind(port: pages.storePort) { _ in }
            Hypercall.unmask(port: pages.storePort)
        }
    }

    /// Finds pending ports and runs their handlers, at most `scanBudget` of them. Returns true when
    /// ports are left (the event loop polls again at once).
    @discardableResult
    func dispatchEvents() -> Bool {
        guard moreEvents || events.hasPendingEvents else { return false }
        moreEvents = events.scan(budget: XenDomainLimits.scanBudget).moreWork
        return moreEvents
    }

    // MARK: XenFrontendServices

    func allocateSharedPage() -> UnsafeMutableRawPointer? {
        let page = UnsafeMutableRawPointer.allocate(byteCount: 0x1000, alignment: 0x1000)
        page.initializeMemory(as: UInt8.self, repeating: 0, count: 0x1000)
        return page
    }

    /// The MMU maps guest memory one to one, so a page's guest frame is its address over 4 KiB.
    func frameNumber(of page: UnsafeRawPointer) -> UInt32 {
        UInt32(truncatingIfNeeded: UInt(bitPattern: page) >> 12)
    }

    func allocateUnboundPort(remoteDomain: UInt16) throws(XenError) -> UInt32 {
        try Hypercall.allocateUnbound(remote: remoteDomain)
    }

    func bind(port: UInt32, handler: @escaping (UInt32) -> Void) throws(XenError) {
        try events.bind(port: port, handler: handler)
        Hypercall.unmask(port: port)
    }

    func notify(port: UInt32) {
        Hypercall.send(port: port)
    }

    func storeRead(_ path: [UInt8]) throws(XenError) -> [UInt8] {
        guard case .value(let value) = try storeRequest(.read(path: path)) else { throw .malformedReply }
        return value
    }

    func storeWrite(_ path: [UInt8], value: [UInt8]) throws(XenError) {
        _ = try storeRequest(.write(path: path, value: value))
    }

    func storeDirectory(_ path: [UInt8]) throws(XenError) -> [[UInt8]] {
        guard case .names(let names) = try storeRequest(.directory(path: path)) else { throw .malformedReply }
        return names
    }

    var nanoseconds: UInt64 { timer.now().nanoseconds }

    /// Sleeps in `wfi` until an interrupt (an event upcall, the timer at `deadline`, a device) unless
    /// events are already waiting, then dispatches them. The event loop re-arms its own deadline after.
    func wait(until deadline: UInt64) {
        if !moreEvents && !events.hasPendingEvents {
            timer.setWakeUp(at: Instant(nanoseconds: deadline))
            Idle.waitForInterrupt()
        }
        dispatchEvents()
    }

    /// Sends one request and waits (bounded) for its reply.
    func storeRequest(_ request: XenStoreRequest) throws(XenError) -> XenStoreReply {
        guard let store else { throw .deviceMissing }
        let id = try store.submit(request)
        let start = nanoseconds
        while true {
            if try store.poll() { Hypercall.send(port: pages.storePort) }
            if let reply = try store.reply(for: id) { return reply }
            guard nanoseconds &- start < XenDomainLimits.storeTimeout else { throw .handshakeTimeout }
            wait(until: start &+ XenDomainLimits.storeTimeout)
        }
    }
}

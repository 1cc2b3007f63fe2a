/// XenFrontendServices for the fuzzer: a dictionary xenstore, pages with frame numbers, a fake clock, and a backend that plays in every `wait`.
import XenABI
import Xen

final class FuzzServices: XenFrontendServices {
    let grantTable: GrantTable
    let grantEntries: UnsafeMutableRawPointer
    let grantCount: Int
    /// Pages handed out; frame `firstFrame + i` is `pages[i]`.
    private(set) var pages: [UnsafeMutableRawPointer] = []
    private var frames: [UnsafeMutableRawPointer: UInt32] = [:]
    static let firstFrame: UInt32 = 0x8_0000
    let pageLimit: Int
    /// Entries `markInUse` marked (their grants cannot be withdrawn).
    private(set) var grantsMarkedInUse = 0

    var store: [[UInt8]: [UInt8]] = [:]
    /// The next `failingReads` reads (writes) throw `storeError`.
    var failingReads = 0
    var failingWrites = 0
    /// Writes that threw so far.
    private(set) var writeFailures = 0
    var storeError = XenError.xenStore(.noEntry)
    var failNextAllocation = false
    var failNextBind = false

    private var nextPort: UInt32 = 5
    /// Ports handed out by allocateUnboundPort, with the domain each was for.
    private(set) var unboundPorts: [UInt32: UInt16] = [:]
    private var handlers: [UInt32: (UInt32) -> Void] = [:]
    private(set) var notifications = 0
    var nanoseconds: UInt64 = 1_000_000_000
    private(set) var waits = 0
    /// Plays the backend's turn in each `wait`.
    var backend: FuzzBackend?

    init(grantCount: Int, pageLimit: Int) {
        self.grantCount = grantCount
        self.pageLimit = pageLimit
        grantEntries = UnsafeMutableRawPointer.allocate(byteCount: grantCount * 8, alignment: 4096)
        grantEntries.initializeMemory(as: UInt8.self, repeating: 0, count: grantCount * 8)
        grantTable = GrantTable(entries: grantEntries, count: grantCount)
    }

    deinit {
        for page in pages { page.deallocate() }
        grantEntries.deallocate()
    }

    func allocateSharedPage() -> UnsafeMutableRawPointer? {
        guard pages.count < pageLimit else { return nil }
        let page = UnsafeMutableRawPointer.allocate(byteCount: XenMemory.pageSize, alignment: XenMemory.pageSize)
        page.initializeMemory(as: UInt8.self, repeating: 0, count: XenMemory.pageSize)
        frames[page] = Self.firstFrame + UInt32(pages.count)
        pages.append(page)
        return page
    }

    func frameNumber(of page: UnsafeRawPointer) -> UInt32 {
        guard let frame = frames[UnsafeMutableRawPointer(mutating: page)] else {
            fatalError("frameNumber(of:) of a page the services did not allocate")
        }
        return frame
    }

    /// The page behind grant `reference` as a backend in `domain` maps it, or nil when the grant is not
    /// valid for it (not permitted, another domain, read-only when `writable` is asked, an unknown frame).
    func map(_ reference: UInt32, domain: UInt16, writable: Bool) -> UnsafeMutableRawPointer? {
        guard reference >= 8, Int(reference) < grantCount else { return nil }
        let entry = grantEntries + Int(reference) * 8
        let flags = entry.load(as: UInt16.self)
        guard flags & UInt16(GTF_permit_access) != 0, entry.load(fromByteOffset: 2, as: UInt16.self) == domain,
              !(writable && flags & UInt16(GTF_readonly) != 0) else { return nil }
        let frame = entry.load(fromByteOffset: 4, as: UInt32.self)
        guard frame >= Self.firstFrame, Int(frame - Self.firstFrame) < pages.count else { return nil }
        return pages[Int(frame - Self.firstFrame)]
    }

    /// Sets GTF_reading | GTF_writing on an entry, as Xen does while the backend maps the frame.
    func markInUse(_ reference: Int) {
        guard reference >= 8, reference < grantCount else { return }
        let entry = grantEntries + reference * 8
        let flags = entry.load(as: UInt16.self)
        let busy = UInt16(GTF_reading) | UInt16(GTF_writing)
        guard flags & UInt16(GTF_permit_access) != 0, flags & busy == 0 else { return }
        grantsMarkedInUse += 1
        entry.storeBytes(of: flags | UInt16(GTF_reading) | UInt16(GTF_writing), as: UInt16.self)
    }

    func allocateUnboundPort(remoteDomain: UInt16) throws(XenError) -> UInt32 {
        if failNextAllocation {
            failNextAllocation = false
            throw .hypercallFailed(-28)  // ENOSPC
        }
        let port = nextPort
        nextPort += 1
        unboundPorts[port] = remoteDomain
        return port
    }

    func bind(port: UInt32, handler: @escaping (UInt32) -> Void) throws(XenError) {
        if failNextBind {
            failNextBind = false
            throw .invalidPort(port)
        }
        guard handlers[port] == nil else { throw .portAlreadyBound(port) }
        handlers[port] = handler
    }

    func notify(port: UInt32) {
        guard handlers[port] != nil || unboundPorts[port] != nil else { fatalError("notify on a port never allocated") }
        notifications += 1
    }

    func storeRead(_ path: [UInt8]) throws(XenError) -> [UInt8] {
        if failingReads > 0 {
            failingReads -= 1
            throw storeError
        }
        guard let value = store[path] else { throw .xenStore(.noEntry) }
        return value
    }

    func storeWrite(_ path: [UInt8], value: [UInt8]) throws(XenError) {
        if failingWrites > 0 {
            failingWrites -= 1
            writeFailures += 1
            throw storeError
        }
        store[path] = value
    }

    func storeDirectory(_ path: [UInt8]) throws(XenError) -> [[UInt8]] {
        let prefix = path + [0x2f]
        var names: [[UInt8]] = []
        for key in store.keys where key.count > prefix.count && Array(key[..<prefix.count]) == prefix {
            let name = Array(key[prefix.count...].prefix(while: { $0 != 0x2f }))
            if !names.contains(name) { names.append(name) }
        }
        return names
    }

    /// The backend plays; raised ports are dispatched; the clock reaches `deadline` unless the backend
    /// made the wait end early (an event), and oversleeps once the input is exhausted (so every timeout ends soon).
    func wait(until deadline: UInt64) {
        waits += 1
        var early = false
        var raised: [UInt32] = []
        if let backend { (early, raised) = backend.turn() }
        for port in raised { handlers[port]?(port) }
        if !early {
            nanoseconds = max(nanoseconds, deadline)
            if backend?.input.isExhausted ?? true { nanoseconds &+= 100_000_000 }
        }
    }

    func set(_ path: [UInt8], _ value: [UInt8]) { store[path] = value }
    func value(_ path: [UInt8]) -> [UInt8]? { store[path] }
}

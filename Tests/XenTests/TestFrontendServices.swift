// XenFrontendServices for host tests: xenstore as a dictionary, pages with frame numbers, event channels, and a backend that runs inside `wait`.
import XenABI
@testable import Xen

final class TestFrontendServices: XenFrontendServices {
    /// The xenstore tree, keyed by full path as the frontend writes it (relative or absolute).
    var store: [[UInt8]: [UInt8]] = [:]
    /// Every write, in order.
    var writes: [(path: [UInt8], value: [UInt8])] = []
    let grantPage = SharedPage(count: 4096 * 4)
    let grantTable: GrantTable
    /// Pages handed out, indexed by frame number - firstFrame.
    var pages: [SharedPage] = []
    static let firstFrame: UInt32 = 0x4_0000
    /// Ports handed out by allocateUnboundPort, and the remote domain each was for.
    var unboundPorts: [UInt32: UInt16] = [:]
    var handlers: [UInt32: (UInt32) -> Void] = [:]
    /// Ports the frontend notified, in order (the backend consumes them).
    var notified: [UInt32] = []
    /// Ports the backend raised, delivered to their handlers at the next `wait`.
    var raised: [UInt32] = []
    var nanoseconds: UInt64 = 1_000_000_000
    /// Runs at every `wait`: the simulated backend's turn.
    var backend: (() -> Void)?
    var pageLimit = 4096
    var waits = 0

    init() {
        grantTable = GrantTable(entries: grantPage.bytes, count: grantPage.count / 8)
    }

    func allocateSharedPage() -> UnsafeMutableRawPointer? {
        guard pages.count < pageLimit else { return nil }
        let page = SharedPage()
        pages.append(page)
        return page.bytes
    }

    func frameNumber(of page: UnsafeRawPointer) -> UInt32 {
        for (index, candidate) in pages.enumerated() where UnsafeRawPointer(candidate.bytes) == page {
            return Self.firstFrame + UInt32(index)
        }
        fatalError("frameNumber(of:) of a page the services did not allocate")
    }

    /// The page behind `frame`, as a backend mapping a grant sees it.
    func page(frame: UInt32) -> SharedPage? {
        guard frame >= Self.firstFrame, Int(frame - Self.firstFrame) < pages.count else { return nil }
        return pages[Int(frame - Self.firstFrame)]
    }

    /// What a backend sees for grant `reference`: the frame and whether it is read-only, or nil if not granted to `domain`.
    func grant(_ reference: UInt32, domain: UInt16 = 0) -> (frame: UInt32, readOnly: Bool)? {
        guard reference < UInt32(grantPage.count / 8) else { return nil }
        let entry = grantPage.bytes + Int(reference) * 8
        let flags = entry.load(as: UInt16.self)
        guard flags & UInt16(GTF_permit_access) != 0,
              entry.load(fromByteOffset: 2, as: UInt16.self) == domain else { return nil }
        return (entry.load(fromByteOffset: 4, as: UInt32.self), flags & UInt16(GTF_readonly) != 0)
    }

    func allocateUnboundPort(remoteDomain: UInt16) throws(XenError) -> UInt32 {
        let port = UInt32(unboundPorts.count + 5)
        unboundPorts[port] = remoteDomain
        return port
    }

    func bind(port: UInt32, handler: @escaping (UInt32) -> Void) throws(XenError) {
        guard handlers[port] == nil else { throw .portAlreadyBound(port) }
        handlers[port] = handler
    }

    func notify(port: UInt32) { notified.append(port) }

    func storeRead(_ path: [UInt8]) throws(XenError) -> [UInt8] {
        guard let value = store[path] else { throw .xenStore(.noEntry) }
        return value
    }

    func storeWrite(_ path: [UInt8], value: [UInt8]) throws(XenError) {
        store[path] = value
        writes.append((path, value))
    }

    func storeDirectory(_ path: [UInt8]) throws(XenError) -> [[UInt8]] {
        let prefix = path + [0x2f]
        var names: [[UInt8]] = []
        for key in store.keys where key.count > prefix.count && Array(key[..<prefix.count]) == prefix {
            let rest = key[prefix.count...]
            let name = Array(rest.prefix(while: { $0 != 0x2f }))
            if !names.contains(name) { names.append(name) }
        }
        return names
    }

    func wait(until deadline: UInt64) {
        waits += 1
        backend?()
        let ready = raised
        raised.removeAll()
        for port in ready { handlers[port]?(port) }
        nanoseconds = max(nanoseconds, deadline)
    }

    /// Sets a store value from a string (test set-up).
    func set(_ path: String, _ value: String) { store[Array(path.utf8)] = Array(value.utf8) }
    func value(_ path: String) -> String? { store[Array(path.utf8)].map { String(decoding: $0, as: UTF8.self) } }
}

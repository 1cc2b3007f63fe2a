/// One split-driver device's xenstore home and the XenBus handshake with its backend (io/xenbus.h, docs/misc/xenstore-paths.pandoc).
import XenABI
///
/// The toolstack writes `device/<kind>/<index>/{backend,backend-id}` in the guest's home; the
/// backend's directory holds its `state` and features. Both ends step through `XenBusState`.
/// Every value read from xenstore is parsed and bounded; waiting is bounded by a deadline.
public struct XenBusDevice<Services: XenFrontendServices> {
    public let services: Services
    /// `device/<kind>/<index>` (relative to the domain's home).
    public let frontendPath: [UInt8]
    /// The backend's directory, absolute (`/local/domain/0/backend/vif/5/0`).
    public let backendPath: [UInt8]
    /// The domain the backend runs in.
    public let backendDomain: UInt16

    /// Finds device `index` of `kind` (`vif`, `vbd`): its backend path and domain. Throws
    /// `.deviceMissing` when the toolstack gave this guest no such device.
    public init(services: Services, kind: StaticString, index: UInt32 = 0) throws(XenError) {
        self.services = services
        let path = Self.directory(kind: kind) + [0x2f] + XenStoreNumber.format(UInt64(index))
        frontendPath = path
        let backend: [UInt8]
        do {
            backend = try services.storeRead(path + Array("/backend".utf8))
        } catch .xenStore {
            throw .deviceMissing
        }
        // An absolute path, bounded like every xenstore path (xs_wire.h XENSTORE_ABS_PATH_MAX).
        guard backend.count > 1, backend.count <= Int(XenStoreLimits.absolutePathMaximum), backend[0] == 0x2f,
              !backend.contains(0) else { throw .malformedStoreValue }
        backendPath = backend
        guard let domain = XenStoreNumber.parse(try services.storeRead(path + Array("/backend-id".utf8))),
              domain < 0x7ff0 else { throw .malformedStoreValue }  // xen.h: DOMID_FIRST_RESERVED
        backendDomain = UInt16(domain)
    }

    /// The smallest device index listed under `device/<kind>`, or nil when there is none. A vbd's
    /// index is its Linux device number (xvda is 51712), so a disk is not always device 0.
    public static func firstIndex(services: Services, kind: StaticString) throws(XenError) -> UInt32? {
        var smallest: UInt64? = nil
        for name in try services.storeDirectory(directory(kind: kind)) {
            if let number = XenStoreNumber.parse(name), number <= UInt64(UInt32.max) { smallest = min(smallest ?? number, number) }
        }
        return smallest.map { UInt32($0) }
    }

    /// `device/<kind>`, where the toolstack lists a guest's devices of one kind.
    static func directory(kind: StaticString) -> [UInt8] {
        Array("device/".utf8) + bytes(kind)
    }

    /// Reads `key` in the backend's directory.
    public func readBackend(_ key: StaticString) throws(XenError) -> [UInt8] {
        try services.storeRead(backendPath + [0x2f] + Self.bytes(key))
    }

    /// Reads a decimal `key` in the backend's directory, or nil when it is absent.
    public func readBackendNumber(_ key: StaticString) throws(XenError) -> UInt64? {
        let value: [UInt8]
        do {
            value = try readBackend(key)
        } catch .xenStore {
            return nil
        }
        guard let number = XenStoreNumber.parse(value) else { throw .malformedStoreValue }
        return number
    }

    /// Writes `key` in the frontend's directory.
    public func writeFrontend(_ key: StaticString, _ value: [UInt8]) throws(XenError) {
        try services.storeWrite(frontendPath + [0x2f] + Self.bytes(key), value: value)
    }

    /// Writes a decimal `key` in the frontend's directory.
    public func writeFrontend(_ key: StaticString, number: UInt64) throws(XenError) {
        try writeFrontend(key, XenStoreNumber.format(number))
    }

    /// Publishes the frontend's state.
    public func switchState(_ state: XenBusState) throws(XenError) {
        try writeFrontend("state", number: UInt64(state.rawValue))
    }

    /// The backend's current state.
    public func backendState() throws(XenError) -> XenBusState {
        try XenBusState(storeValue: readBackend("state"))
    }

    /// Waits until the backend's state is `wanted` (or past it, before Closing), re-reading it every
    /// `pollInterval` nanoseconds. Throws `.backendClosed` if it closes, `.handshakeTimeout` after `timeout`.
    @discardableResult
    public func waitForBackend(_ wanted: XenBusState, timeout: UInt64 = 10_000_000_000,
                               pollInterval: UInt64 = 1_000_000) throws(XenError) -> XenBusState {
        let start = services.nanoseconds
        while true {
            let state = try backendState()
            if state == .closing || state == .closed { throw .backendClosed }
            if state.rawValue >= wanted.rawValue && state.rawValue < XenBusState.closing.rawValue { return state }
            let now = services.nanoseconds
            guard now &- start < timeout else { throw .handshakeTimeout }
            services.wait(until: now &+ pollInterval)
        }
    }

    static func bytes(_ text: StaticString) -> [UInt8] {
        Array(UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }
}

/// xenstore's size limits (io/xs_wire.h).
public enum XenStoreLimits {
    public static let absolutePathMaximum = UInt32(XENSTORE_ABS_PATH_MAX)
}

/// The XenBus device states both ends of a split driver publish in xenstore (io/xenbus.h `enum xenbus_state`).
public enum XenBusState: UInt32, Equatable {
    case unknown = 0
    case initialising = 1
    /// The backend's hotplug scripts ran; it waits for the frontend's ring details.
    case initWait = 2
    /// The frontend published its rings (blkfront says so before the backend connects).
    case initialised = 3
    case connected = 4
    case closing = 5
    case closed = 6
    case reconfiguring = 7
    case reconfigured = 8

    /// Parses a xenstore `state` value: decimal ASCII, nothing else.
    public init(storeValue: [UInt8]) throws(XenError) {
        guard let number = XenStoreNumber.parse(storeValue), number <= 8, let state = XenBusState(rawValue: UInt32(number)) else {
            throw .malformedStoreValue
        }
        self = state
    }
}

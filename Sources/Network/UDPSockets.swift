/// UDP endpoints: bound ports, each with a bounded queue of received datagrams.

import Capabilities

/// A handle to a bound UDP endpoint.
public struct UDPSocket: Hashable, Sendable {
    let index: Int
    let generation: UInt32
}

/// Why a socket operation failed.
public enum SocketError: Error, Equatable {
    /// Every slot of that kind is in use (see `NetworkLimits`).
    case noFreeSlot
    case portInUse
    /// The handle was closed or its slot reused.
    case invalidHandle
    /// The stack has no IPv4 address yet (DHCP not bound).
    case notConfigured
    /// A datagram larger than the MTU allows (this stack does not fragment on send).
    case tooLarge
    /// The device or the ARP queue had no room; try again after the next poll.
    case wouldBlock
    /// The connection is not in a state that allows this.
    case notConnected
    case invalidArgument
}

/// A received datagram's description; its payload was copied into the caller's buffer.
public struct UDPReceived: Equatable {
    public var source: IPv4Endpoint
    /// Bytes copied into the buffer.
    public var length: Int
    /// Whether the datagram was longer than the buffer (the rest was discarded).
    public var truncated: Bool

    public init(source: IPv4Endpoint, length: Int, truncated: Bool) {
        self.source = source
        self.length = length
        self.truncated = truncated
    }
}

struct UDPSlot {
    var port: UInt16 = 0
    var generation: UInt32 = 0
    /// Records of [length: 2][source address: 4][source port: 2][payload].
    var queue: RingBuffer

    static let recordHeader = 8

    /// Queues a datagram; false when it does not fit.
    mutating func enqueue(_ payload: UnsafeRawBufferPointer, from source: IPv4Endpoint) -> Bool {
        guard queue.free >= UDPSlot.recordHeader + payload.count else { return false }
        var header: (UInt32, UInt32) = (0, 0)
        withUnsafeMutableBytes(of: &header) { bytes in
            bytes.setUInt16(UInt16(truncatingIfNeeded: payload.count), at: 0)
            bytes.setUInt32(source.address.rawValue, at: 2)
            bytes.setUInt16(source.port, at: 6)
            _ = queue.append(UnsafeRawBufferPointer(bytes))
        }
        _ = queue.append(payload)
        return true
    }

    mutating func dequeue(into buffer: UnsafeMutableRawBufferPointer) -> UDPReceived? {
        guard queue.count >= UDPSlot.recordHeader else { return nil }
        var header: (UInt32, UInt32) = (0, 0)
        let (length, source) = withUnsafeMutableBytes(of: &header) { bytes -> (Int, IPv4Endpoint) in
            _ = queue.read(into: bytes)
            let view = UnsafeRawBufferPointer(bytes)
            return (Int(view.uint16(at: 0)), IPv4Endpoint(address: IPv4Address(rawValue: view.uint32(at: 2)),
                                                           port: view.uint16(at: 6)))
        }
        let copied = queue.copy(from: 0, into: buffer.slice(0..<min(length, buffer.count)))
        queue.discard(length)
        return UDPReceived(source: source, length: copied, truncated: copied < length)
    }
}

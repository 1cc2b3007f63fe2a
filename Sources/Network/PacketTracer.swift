/// A device wrapper that shows every frame to a sink, and a sink writing the pcap format.

import Capabilities

public enum FrameDirection: Equatable, Sendable {
    case received
    case sent
}

/// Receives a view of every frame a `PacketTracer` passes.
public protocol FrameSink {
    mutating func record(_ frame: UnsafeRawBufferPointer, direction: FrameDirection)
}

/// Wraps any `NetworkInterface` and shows each received and sent frame to `sink`.
public struct PacketTracer<Inner: NetworkInterface, Sink: FrameSink>: NetworkInterface {
    public var inner: Inner
    public var sink: Sink

    public init(wrapping inner: Inner, sink: Sink) {
        self.inner = inner
        self.sink = sink
    }

    public var macAddress: MACAddress { inner.macAddress }
    public var maximumTransmissionUnit: Int { inner.maximumTransmissionUnit }

    public mutating func receive<Result>(_ body: (UnsafeRawBufferPointer) -> Result) -> Result? {
        inner.receive { frame in
            sink.record(frame, direction: .received)
            return body(frame)
        }
    }

    public mutating func transmit(length: Int, _ fill: (UnsafeMutableRawBufferPointer) -> Void) -> Bool {
        inner.transmit(length: length) { buffer in
            fill(buffer)
            sink.record(UnsafeRawBufferPointer(buffer), direction: .sent)
        }
    }
}

/// Writes frames in the classic pcap format (link type 1, Ethernet) to a `Console`-shaped
/// output, timestamped with `now`, which the owner keeps current.
public struct PcapWriter<Output: Console>: FrameSink {
    public var output: Output
    public var now = Instant.zero

    /// Writes the 24-byte global header.
    public init(output: Output) {
        self.output = output
        var header: (UInt32, UInt16, UInt16, Int32, UInt32, UInt32, UInt32) = (0xA1B2_C3D4, 2, 4, 0, 0, 65535, 1)
        withUnsafeBytes(of: &header) { self.output.write($0) }
    }

    public mutating func record(_ frame: UnsafeRawBufferPointer, direction: FrameDirection) {
        let seconds = UInt32(truncatingIfNeeded: now.nanoseconds / 1_000_000_000)
        let microseconds = UInt32(truncatingIfNeeded: now.nanoseconds / 1000 % 1_000_000)
        let length = UInt32(truncatingIfNeeded: frame.count)
        var record: (UInt32, UInt32, UInt32, UInt32) = (seconds, microseconds, length, length)
        withUnsafeBytes(of: &record) { output.write($0) }
        output.write(frame)
    }
}

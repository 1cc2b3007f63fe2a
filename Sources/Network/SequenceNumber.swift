/// TCP sequence numbers: 32-bit values compared modulo 2^32 (RFC 9293 3.4, RFC 1982 style).

public struct SequenceNumber: Hashable, Sendable {
    public var rawValue: UInt32

    @inline(__always)
    public init(_ rawValue: UInt32) { self.rawValue = rawValue }

    /// The signed distance from `other` to `self`: positive when `self` is later.
    @inline(__always)
    public func distance(from other: SequenceNumber) -> Int32 { Int32(bitPattern: rawValue &- other.rawValue) }

    @inline(__always)
    public static func + (left: SequenceNumber, right: Int) -> SequenceNumber {
        SequenceNumber(left.rawValue &+ UInt32(truncatingIfNeeded: right))
    }

    @inline(__always)
    public static func - (left: SequenceNumber, right: Int) -> SequenceNumber {
        SequenceNumber(left.rawValue &- UInt32(truncatingIfNeeded: right))
    }

    /// The non-negative byte count from `right` to `left`; callers know `left` is not earlier.
    @inline(__always)
    public static func - (left: SequenceNumber, right: SequenceNumber) -> Int {
        Int(Swift.max(0, left.distance(from: right)))
    }

    @inline(__always)
    public static func < (left: SequenceNumber, right: SequenceNumber) -> Bool { left.distance(from: right) < 0 }
    @inline(__always)
    public static func <= (left: SequenceNumber, right: SequenceNumber) -> Bool { left.distance(from: right) <= 0 }
    @inline(__always)
    public static func > (left: SequenceNumber, right: SequenceNumber) -> Bool { left.distance(from: right) > 0 }
    @inline(__always)
    public static func >= (left: SequenceNumber, right: SequenceNumber) -> Bool { left.distance(from: right) >= 0 }

    public static func max(_ left: SequenceNumber, _ right: SequenceNumber) -> SequenceNumber { left > right ? left : right }
    public static func min(_ left: SequenceNumber, _ right: SequenceNumber) -> SequenceNumber { left < right ? left : right }
}

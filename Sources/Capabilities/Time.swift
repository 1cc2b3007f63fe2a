/// Monotonic time as every module sees it: passed in, never read behind the caller's back.

/// A point on the board's monotonic clock, in nanoseconds since an arbitrary origin (boot).
public struct Instant: Comparable, Hashable, Sendable {
    public var nanoseconds: UInt64

    @inline(__always)
    public init(nanoseconds: UInt64) { self.nanoseconds = nanoseconds }

    public static let zero = Instant(nanoseconds: 0)

    public static func < (left: Instant, right: Instant) -> Bool { left.nanoseconds < right.nanoseconds }

    /// This instant moved later by `duration`, saturating instead of wrapping.
    public func advanced(by duration: Duration) -> Instant {
        let (sum, overflow) = nanoseconds.addingReportingOverflow(duration.nanoseconds)
        return Instant(nanoseconds: overflow ? .max : sum)
    }

    /// The time from `earlier` to this instant, zero when `earlier` is later.
    public func duration(since earlier: Instant) -> Duration {
        Duration(nanoseconds: nanoseconds >= earlier.nanoseconds ? nanoseconds - earlier.nanoseconds : 0)
    }
}

/// A non-negative span of time in nanoseconds. (Swift's own `Duration` is signed 128-bit; this one stays one register pair.)
public struct Duration: Comparable, Hashable, Sendable {
    public var nanoseconds: UInt64

    @inline(__always)
    public init(nanoseconds: UInt64) { self.nanoseconds = nanoseconds }

    public static func < (left: Duration, right: Duration) -> Bool { left.nanoseconds < right.nanoseconds }
    public static func + (left: Duration, right: Duration) -> Duration { Duration(nanoseconds: left.nanoseconds &+ right.nanoseconds) }

    public static let zero = Duration(nanoseconds: 0)
    public static func seconds(_ value: UInt64) -> Duration { Duration(nanoseconds: value &* 1_000_000_000) }
    public static func milliseconds(_ value: UInt64) -> Duration { Duration(nanoseconds: value &* 1_000_000) }
    public static func microseconds(_ value: UInt64) -> Duration { Duration(nanoseconds: value &* 1_000) }

    public var milliseconds: UInt64 { nanoseconds / 1_000_000 }
}

/// The board's monotonic clock and its single one-shot wake-up deadline.
///
/// There is no periodic tick: the event loop asks for the earliest deadline any timer needs
/// and the board programs its hardware timer for exactly that instant.
public protocol Clock {
    /// The current monotonic time.
    func now() -> Instant
    /// Arms the hardware to raise an interrupt at `deadline`, or disarms it when nil.
    mutating func setWakeUp(at deadline: Instant?)
}

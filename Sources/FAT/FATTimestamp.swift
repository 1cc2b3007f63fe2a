/// Directory-entry dates and times, packed as FAT stores them (Microsoft FAT spec 6.3).

/// A directory-entry date and time (Microsoft FAT spec 6.3).
public struct FATTimestamp: Equatable, Sendable {
    /// Bits 15-9 years since 1980, 8-5 month, 4-0 day.
    public var date: UInt16
    /// Bits 15-11 hours, 10-5 minutes, 4-0 seconds / 2.
    public var time: UInt16

    public init(date: UInt16, time: UInt16) {
        self.date = date
        self.time = time
    }

    /// Out-of-range parts are clamped (years 1980 ... 2107).
    public init(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0) {
        let years = UInt16(Swift.max(0, Swift.min(127, year - 1980)))
        date = years << 9 | UInt16(Swift.max(1, Swift.min(12, month))) << 5 | UInt16(Swift.max(1, Swift.min(31, day)))
        time = UInt16(Swift.max(0, Swift.min(23, hour))) << 11 | UInt16(Swift.max(0, Swift.min(59, minute))) << 5
            | UInt16(Swift.max(0, Swift.min(59, second)) / 2)
    }

    /// 2026-01-01 00:00:00.
    public static var `default`: FATTimestamp { FATTimestamp(year: 2026, month: 1, day: 1) }
}

/// Decimal numbers in xenstore values (`backend-id`, `state`, `sectors`, ring refs): parsed with every byte checked, formatted without String.
public enum XenStoreNumber {
    /// The value of 1 to 20 ASCII digits that fits in 64 bits, or nil (empty, a sign, a space, overflow).
    /// A trailing NUL, which some writers include, is ignored.
    public static func parse(_ bytes: [UInt8]) -> UInt64? {
        var count = bytes.count
        if count > 0 && bytes[count - 1] == 0 { count -= 1 }
        guard count > 0 && count <= 20 else { return nil }
        var value: UInt64 = 0
        for index in 0..<count {
            let byte = bytes[index]
            guard byte >= 0x30 && byte <= 0x39 else { return nil }
            let (times, overflowTimes) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflowSum) = times.addingReportingOverflow(UInt64(byte - 0x30))
            guard !overflowTimes && !overflowSum else { return nil }
            value = sum
        }
        return value
    }

    /// `value` in decimal ASCII.
    public static func format(_ value: UInt64) -> [UInt8] {
        if value == 0 { return [0x30] }
        var digits: [UInt8] = []
        var rest = value
        while rest > 0 {
            digits.append(UInt8(truncatingIfNeeded: rest % 10) + 0x30)
            rest /= 10
        }
        return digits.reversed()
    }
}

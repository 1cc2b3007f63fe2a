/// A fixed 256-byte single-producer, single-consumer ring for bytes an interrupt handler receives.

public struct ByteRing {
    private var storage: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
                          UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
                          UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
                          UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)
        = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    private var head: UInt8 = 0
    private var tail: UInt8 = 0
    /// Bytes dropped because the ring was full.
    public private(set) var dropped: UInt32 = 0

    public init() {}

    public var isEmpty: Bool { head == tail }

    public mutating func push(_ byte: UInt8) {
        guard tail &+ 1 != head else {
            dropped &+= 1
            return
        }
        let index = Int(tail)
        withUnsafeMutableBytes(of: &storage) { $0[index] = byte }
        tail &+= 1
    }

    public mutating func pop() -> UInt8? {
        guard head != tail else { return nil }
        let index = Int(head)
        let byte = withUnsafeBytes(of: &storage) { $0[index] }
        head &+= 1
        return byte
    }
}

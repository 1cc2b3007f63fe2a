/// Memory-mapped device registers, every access volatile (plain pointer stores get merged or dropped by the optimiser).
import _Volatile

/// One 32-bit device register.
public struct Register32 {
    public let address: UInt

    @inline(__always)
    public init(_ address: UInt) { self.address = address }

    @inline(__always)
    public func read() -> UInt32 { VolatileMappedRegister<UInt32>(unsafeBitPattern: address).load() }

    @inline(__always)
    public func write(_ value: UInt32) { VolatileMappedRegister<UInt32>(unsafeBitPattern: address).store(value) }

    /// Read, change, write back.
    @inline(__always)
    public func modify(_ change: (inout UInt32) -> Void) {
        var value = read()
        change(&value)
        write(value)
    }
}

/// One 8-bit device register (byte-wide GIC priority and target fields).
public struct Register8 {
    public let address: UInt

    @inline(__always)
    public init(_ address: UInt) { self.address = address }

    @inline(__always)
    public func read() -> UInt8 { VolatileMappedRegister<UInt8>(unsafeBitPattern: address).load() }

    @inline(__always)
    public func write(_ value: UInt8) { VolatileMappedRegister<UInt8>(unsafeBitPattern: address).store(value) }
}

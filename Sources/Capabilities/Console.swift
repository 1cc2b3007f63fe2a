/// The byte-oriented console capability: write bytes out, poll bytes in.
public protocol Console {
    /// Writes every byte, blocking until the device has taken it.
    mutating func write(_ bytes: UnsafeRawBufferPointer)
    /// Returns the next received byte, or nil when none is waiting.
    mutating func read() -> UInt8?
}
